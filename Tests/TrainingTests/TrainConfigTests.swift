import BridgeSupport
import Foundation
import Testing
import Training

@Suite struct TrainConfigTests {
    @Test func defaultsResolveAndRoundTrip() throws {
        let c = try TrainConfig.load(yamlText: nil, source: "defaults")
        #expect(c == TrainConfig())
        let tree = try c.resolvedTree()
        #expect(try TrainConfig.from(tree, source: "roundtrip") == c)
        #expect(tree["rl"]?["group_size"] == .number(8) && tree["bridge"]?["lambda"]?["schedule"] == .string("constant"))
    }

    @Test func yamlAndDottedOverrides() throws {
        let c = try TrainConfig.load(yamlText: "run:\n  method: rl_zero\nrl:\n  clip_high: 0.28\n", source: "t.yaml",
                                     overrides: ["bridge.lambda.schedule=linear", "run.seed=3", "optim_w.lr=0.01"])
        #expect(c.run.method == .rlZero && c.rl.clipHigh == 0.28 && c.bridge.lambda.schedule == .linear && c.run.seed == 3 && c.optimW.learningRate == 0.01)
    }

    @Test func unknownKeySuggestsNearest() {
        do {
            _ = try TrainConfig.load(yamlText: "rl:\n  grup_size: 4\n", source: "t.yaml")
            Issue.record("expected an error")
        } catch let e as ConfigError {
            #expect(e.description.contains("rl.grup_size") && e.description.contains("group_size"), "\(e)")
        } catch { Issue.record("wrong error \(error)") }
    }

    @Test func badEnumValueIsNamed() {
        do {
            _ = try TrainConfig.load(yamlText: nil, source: "o", overrides: ["run.method=brige"])
            Issue.record("expected an error")
        } catch let e as ConfigError {
            #expect(e.description.contains("run.method") && e.description.contains("bridge"), "\(e)")
        } catch { Issue.record("wrong error \(error)") }
        #expect(throws: ConfigError.self) { _ = try TrainConfig.load(yamlText: nil, source: "o", overrides: ["data.reward_noise=1.5"]) }
        #expect(throws: ConfigError.self) { _ = try TrainConfig.load(yamlText: nil, source: "o", overrides: ["bridge.lambda.milestones=[5]"]) }
    }

    /// Enumerated choices decode into Swift enums; an unknown value names the key and the nearest valid value.
    @Test(arguments: [("bridge.proxy=one_stp", "one_step"), ("bridge.proxy_optimizer=frozn", "frozen"),
                      ("bridge.teacher_point=curent", "current")])
    func unknownChoiceNamesNearest(override: String, nearest: String) {
        do {
            _ = try TrainConfig.load(yamlText: nil, source: "o", overrides: [override])
            Issue.record("expected an error for \(override)")
        } catch let e as ConfigError {
            let key = override.split(separator: "=")[0].split(separator: ".")[1]
            #expect(e.description.contains(String(key)) && e.description.contains("did you mean '\(nearest)'"), "\(e)")
        } catch { Issue.record("wrong error \(error)") }
    }

    /// mix and bridge take one optimiser step per update: several epochs or minibatches are refused, naming
    /// the key, the method and the fix, instead of being ignored.
    @Test(arguments: ["mix", "bridge"])
    func unsupportedRLOptionsAreRefused(method: String) throws {
        for key in ["rl.ppo_epochs", "rl.minibatches"] {
            do {
                _ = try TrainConfig.load(yamlText: nil, source: "o", overrides: ["run.method=\(method)", "\(key)=2"])
                Issue.record("expected an error for \(key) with \(method)")
            } catch let e as ConfigError {
                #expect(e.description.contains(key) && e.description.contains("'\(method)'") && e.description.contains("\(key)=1"), "\(e)")
            }
        }
        _ = try TrainConfig.load(yamlText: nil, source: "o", overrides: ["run.method=rl_zero", "rl.ppo_epochs=2", "rl.minibatches=2"])
    }
}

/// Choices are Swift enums: an unknown word fails at load with the valid words and the nearest one.
@Suite struct ConfigChoiceTests {
    @Test(arguments: [("bridge.lambda.schedule=linaer", "'linear'"), ("data.reward_scale=pm2", "'pm1'"),
                      ("run.base=randm", "'random'"), ("rl.aggregation=token_man", "'token_mean'"),
                      ("run.budget.unit=dta", "'data'"), ("run.seed_scope=al", "'all'"), ("run.method=rl_zer", "'rl_zero'"),
                      ("bridge.proxy=shadw", "'shadow'"), ("bridge.teacher_point=nxt", "'next'")])
    func unknownChoiceNamesTheNearestValue(override: String, nearest: String) {
        let message: String
        do { _ = try TrainConfig.load(yamlText: nil, source: "t", overrides: [override]); message = "" } catch { message = "\(error)" }
        let key = String(override.split(separator: "=")[0])
        #expect(message.contains(key) && message.contains("did you mean \(nearest)?"), "\(message)")
    }

    @Test func choicesRoundTripThroughTheResolvedTree() throws {
        let c = try TrainConfig.load(yamlText: nil, source: "t", overrides: ["bridge.lambda.schedule=cosine", "data.reward_scale=pm1",
                                                                              "rl.aggregation=sequence_mean", "run.base=random"])
        #expect(c.bridge.lambda.schedule == .cosine && c.data.rewardScale == .pm1 && c.rl.aggregation == .sequenceMean && c.run.base == .random)
        #expect(try TrainConfig.from(try c.resolvedTree(), source: "config.json") == c)
    }
}
