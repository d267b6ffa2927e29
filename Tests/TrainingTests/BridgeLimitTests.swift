import Foundation
import Testing
import TensorCore
import Training

/// BRIDGE's limits over whole runs (several updates, evaluations included), and its meta term at work.
@Suite(.serialized) struct BridgeLimitTests {
    /// The rows of `reference`'s metrics.csv, and the rows of `bridge`'s with the same metric names (same order).
    static func shared(_ reference: String, _ bridge: String) -> (reference: [Substring], bridge: [Substring]) {
        func rows(_ csv: String) -> [Substring] { csv.split(separator: "\n").dropFirst().map { $0 } }
        func metric(_ row: Substring) -> Substring { row.split(separator: ",")[2] }
        let ref = rows(reference), names = Set(ref.map(metric))
        return (ref, rows(bridge).filter { names.contains(metric($0)) })
    }

    /// λ = 1: the bracket vanishes (θ̂ = θ_{k+1}: no SFT part to remove), so w stays at w_0 and θ takes
    /// rl_zero's GRPO steps: BRIDGE equals rl_zero with w frozen (optim_w.lr = 0) on every metric rl_zero
    /// logs, over 4 updates and 3 evaluations. Reward noise gives the random model's groups reward variance.
    @Test(arguments: BridgeTeacherPoint.names)
    func lambdaOneRunEqualsRLZeroWithFrozenW(point: String) throws {
        let common = ["run.steps=4", "data.reward_noise=0.3"]
        let (r1, rl) = try TinyRun.run(try TinyRun.config("rl_zero", common + ["optim_w.lr=0"]), dir: "limit-rl")
        let (r2, br) = try TinyRun.run(try TinyRun.config("bridge", common + ["bridge.lambda.lambda0=1", "bridge.teacher_point=\(point)"]),
                                      dir: "limit-bridge1-\(point)")
        #expect(r1.status == .finished && r2.status == .finished)
        let (a, b) = Self.shared(rl, br)
        #expect(a.count > 40 && a.contains { $0.contains(",4,rl/loss,") }, "rl_zero logs 4 updates (\(a.count) rows)")
        #expect(a == b, "rows differ; first: \(zip(a, b).first { $0.0 != $0.1 }.map { "\($0.0) vs \($0.1)" } ?? "count \(a.count) vs \(b.count)")")
    }

    /// λ = 0 with teacher_point current: no rollouts, the student's SFT pass gives ∇_θ and ∇_w at θ_k,
    /// which is sft's update: BRIDGE equals sft on every metric sft logs, over 4 updates and 3 evaluations.
    /// (With teacher_point next, w's SFT gradient is taken at θ_{k+1} instead: not sft's update.)
    @Test func lambdaZeroRunEqualsSFT() throws {
        let (r1, sft) = try TinyRun.run(try TinyRun.config("sft", ["run.steps=4"]), dir: "limit-sft")
        let (r2, br) = try TinyRun.run(try TinyRun.config("bridge", ["run.steps=4", "bridge.lambda.lambda0=0", "bridge.teacher_point=current"]),
                                      dir: "limit-bridge0")
        #expect(r1.status == .finished && r2.status == .finished)
        let (a, b) = Self.shared(sft, br)
        #expect(a.count > 30 && a.contains { $0.contains(",4,sft/loss,") }, "sft logs 4 updates (\(a.count) rows)")
        #expect(a == b, "rows differ; first: \(zip(a, b).first { $0.0 != $0.1 }.map { "\($0.0) vs \($0.1)" } ?? "count \(a.count) vs \(b.count)")")
        #expect(!br.contains("rl/"), "λ = 0 samples no rollouts")
    }

    /// w after 4 updates of meta_term true vs false, relative to how far w moved without the meta term.
    static func metaEffect(_ extra: [String]) throws -> (relative: Double, share: Double) {
        var w: [[Float]] = [], w0: [Float] = [], share = 0.0
        for meta in [true, false] {
            let ctx = try TinyRun.context(try TinyRun.config("bridge", ["data.reward_noise=0.3", "bridge.meta_term=\(meta)"] + extra))
            w0 = ctx.model.w.storage
            let m = BridgeMethod()
            try m.start(ctx)
            for k in 0..<4 {
                let rows = try m.step(k, ctx)
                if meta { share += (rows.first { $0.0 == Metric.metaToSFT }?.1 ?? 0) / 4 }
            }
            w.append(ctx.model.w.storage)
        }
        return (ParamOptimizer.distance(w[0], w[1]) / ParamOptimizer.distance(w[1], w0), share)
    }

    /// The meta term acts: with it, w ends ≥ 10% (of the distance w moved without it) away from where the
    /// SFT-only teacher takes it, after 4 updates on the tiny model, and the bracket is ≥ 3% of the SFT part
    /// of g_w on average. Measured here: frozen 23% and 5.7%, current the same, the first design (`copy`,
    /// θ̂ ~10% of a step away) 4.9% and 0.8%. The thresholds sit at about twice the copy design's effect and
    /// half the frozen one's (the random tiny model earns reward only through the noise, so its RL gradient
    /// is weak next to SFT's), and far above rounding (1e-6).
    @Test func metaTermMovesW() throws {
        let frozen = try Self.metaEffect([])
        #expect(frozen.relative > 0.1 && frozen.share > 0.03, "frozen: w moved by \(frozen.relative), meta/SFT \(frozen.share)")
        let current = try Self.metaEffect(["bridge.teacher_point=current"])
        #expect(current.relative > 0.1 && current.share > 0.03, "current: w moved by \(current.relative), meta/SFT \(current.share)")
        let copy = try Self.metaEffect(["bridge.proxy_optimizer=copy"])
        #expect(copy.relative < 0.5 * frozen.relative && copy.share < 0.5 * frozen.share,
                "the copy design's meta term is the weaker one: copy \(copy), frozen \(frozen)")
    }
}
