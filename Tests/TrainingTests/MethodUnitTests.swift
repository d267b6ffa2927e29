import BridgeSupport
import Foundation
import Testing
import Training

@Suite struct MethodUnitTests {
    @Test func loraOnlySFTLeavesThetaBitwiseUnchanged() throws {
        let ctx = try TinyRun.context(try TinyRun.config("sft", ["sft.lora_only=true"]))
        let theta0 = ctx.model.theta.storage, w0 = ctx.model.w.storage
        let m = SFTMethod()
        try m.start(ctx)
        for k in 0..<2 { _ = try m.step(k, ctx) }
        let thetaSame = ctx.model.theta.storage == theta0, wMoved = ctx.model.w.storage != w0
        #expect(thetaSame, "θ must stay bitwise unchanged under LoRA-only SFT")
        #expect(wMoved, "w must move")
    }

    @Test func coldStartSwitchesToRLAtS() throws {
        let ctx = try TinyRun.context(try TinyRun.config("cold_start", ["sft.cold_start_steps=2"]))
        let m = ColdStartMethod()
        try m.start(ctx)
        let stages = try (0..<3).map { k in try m.step(k, ctx).first { $0.0 == Metric.stageRL }?.1 }
        #expect(stages == [0, 0, 1])
        #expect(ctx.reference != nil, "π_ref is frozen when RL starts")
    }

    @Test func alternatingFollowsTheRatio() throws {
        let ctx = try TinyRun.context(try TinyRun.config("alternating", ["alternating.sft_steps=2", "alternating.rl_steps=1"]))
        let m = AlternatingMethod()
        try m.start(ctx)
        let stages = try (0..<6).map { k in try m.step(k, ctx).first { $0.0 == Metric.stageRL }?.1 }
        #expect(stages == [0, 0, 1, 0, 0, 1])
    }

    @Test func runKindResolvesStrictly() throws {
        let kind = TrainRunKind()
        #expect(kind.name == "train")
        let tree = try ConfigValue.parseYAML("run:\n  method: mix\nrl:\n  group_size: 4\n", source: "t").value
        let resolved = try kind.resolve(tree, source: "t")
        #expect(resolved["rl"]?["group_size"] == .number(4) && resolved["rl"]?["clip_low"] == .number(0.2))
        let bad = try ConfigValue.parseYAML("rl:\n  grop_size: 4\n", source: "t").value
        #expect(throws: ConfigError.self) { _ = try kind.resolve(bad, source: "t") }
    }
}
