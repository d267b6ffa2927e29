import BridgeSupport
import Foundation
import GPT
import Tasks
import TensorCore
import Testing
import Training

/// Issue 12, findings 4-7: trained positions, benchmarks that fit, seeds that reach the data and the base.
@Suite struct DataScopeTests {
    @Test func packedRowsTrainEveryPositionOneDocumentPerRowDoesNot() throws {
        var c = tinyPretrainConfig(); c.steps = 4
        let C = c.model.channels, T = c.model.contextLength
        let initial = GPTModel(config: c.model, lora: .none, rng: RNG(seed: 1).derive("pretrain/init")).theta.values("wpe")!
        func moved(_ layout: PretrainLayout) throws -> [Bool] {
            var cc = c; cc.layout = layout
            let w = try Pretrainer.train(cc).model.theta.values("wpe")!
            return (0..<T).map { t in (0..<C).contains { w[t * C + $0] != initial[t * C + $0] } }
        }
        let packed = try moved(.packed)
        #expect(packed.allSatisfy { $0 }, "packed rows left positions \(packed.indices.filter { !packed[$0] }) untrained")
        // One document per row: the inputs of a row of n tokens sit at positions 0..<n-1, so rows from the
        // longest document on never receive a gradient and stay bitwise at their initial values.
        let longest = try c.corpus.documents().map { try Tokenizer.standard.encode($0).count + 2 }.max()!
        let document = try moved(.document)
        #expect(longest < T && document[0] && document[(longest - 1)...].allSatisfy { !$0 }, "longest document \(longest)")
        var d = c; d.layout = .document
        #expect(try c.cacheKey() != d.cacheKey())
    }

    @Test func benchmarksThatDoNotFitTheContextAreRefused() throws {
        do {
            _ = try TrainConfig.load(yamlText: nil, source: "test", overrides: ["model.preset=tiny", "eval.suite.benchmarks.size=20"])
            Issue.record("the tiny preset accepted b3_longer")
        } catch {
            let text = "\(error)"
            #expect(text.contains("benchmark b3_longer has sequences") && text.contains("context of 64")
                    && text.contains("eval.suite.benchmarks.names"), "\(text)")
        }
        // The small preset's 128 tokens hold every benchmark; the Evaluator applies the same check.
        _ = try TrainConfig.load(yamlText: nil, source: "test", overrides: ["eval.suite.benchmarks.size=20"])
        var e = EvaluationConfig(); e.benchmarks.size = 20
        #expect(throws: (any Error).self) { try Evaluator(config: e, contextLength: 64) }
        _ = try Evaluator(config: e, contextLength: 128)
    }

    @Test func seedScopeAllDerivesTheDataAndBaseModelSeeds() throws {
        func load(_ o: [String]) throws -> TrainConfig { try TrainConfig.load(yamlText: nil, source: "test", overrides: o) }
        let training = try load(["run.seed=3"])
        #expect(training.run.seedScope == .training && training.data.dataset.seed == 1 && training.pretrain.seed == 1)
        let all = try load(["run.seed=3", "run.seed_scope=all"])
        #expect(all.data.dataset.seed == 3 && all.pretrain.seed == 3 && all.pretrain.corpus.seed == 3)
        #expect(try all.pretrain.cacheKey() != training.pretrain.cacheKey(), "the base-model cache must key on the seed")
        // At run.seed 1 both scopes share the default datasets and base model.
        #expect(try load(["run.seed_scope=all"]).pretrain.cacheKey() == load([]).pretrain.cacheKey())
        // The resolved config (config.json) loads back to the same config.
        #expect(try TrainConfig.from(all.resolvedTree(), source: "resolved") == all)
        // An explicit seed that contradicts the scope is named.
        do {
            _ = try load(["run.seed=3", "run.seed_scope=all", "data.dataset.seed=5"])
            Issue.record("a contradicting data seed was accepted")
        } catch { #expect("\(error)".contains("data.dataset.seed") && "\(error)".contains("seed_scope"), "\(error)") }
        // Enum values: an unknown one names the nearest.
        do {
            _ = try load(["run.seed_scope=al"])
            Issue.record("an unknown scope was accepted")
        } catch { #expect("\(error)".contains("run.seed_scope") && "\(error)".contains("did you mean 'all'"), "\(error)") }
        do {
            _ = try load(["pretrain.layout=packd"])
            Issue.record("an unknown layout was accepted")
        } catch { #expect("\(error)".contains("did you mean 'packed'"), "\(error)") }
    }

    /// The run's actual evaluation sets (probes and benchmarks) against its training sets, through the
    /// same functions RunEvaluation uses, at a size where small problems recur.
    @Test func runProbesAreDisjointFromBenchmarksAndTraining() throws {
        let config = try TinyRun.config("bridge", ["data.dataset.rl_size=800", "data.dataset.pretrain_problems=800",
                                                   "eval.probe_size=100", "eval.suite.benchmarks.size=100", "eval.validation_size=0"])
        let data = try TrainData(config.data.dataset)
        let probe = try TaskDatasets.retentionProbe(config.data.dataset, count: config.eval.probeSize)
        let bench = Set(try Evaluator(config: config.eval.suite).sets.flatMap { $0.examples.map(\.prompt) })
        let training = Set((data.sets.sft + data.sets.rl).map(\.prompt))
        let corpus = Set(data.sets.pretrain.map { PretrainFacts.example(fromDocument: $0) }.filter { !$0.answer.isEmpty }.map(\.prompt))
        for (name, set) in [("probe_pretrain", Set(probe.map(\.prompt))), ("probe_sft_only", Set(data.sets.heldout.map(\.prompt)))] {
            #expect(set.isDisjoint(with: bench), "\(name) shares problems with the benchmarks")
            #expect(set.isDisjoint(with: training) && set.isDisjoint(with: corpus), "\(name) shares problems with a training set")
        }
        #expect(corpus.isDisjoint(with: Set(data.sets.rl.map(\.prompt))), "RL prompts leak from the pretraining corpus")
        #expect(bench.isDisjoint(with: training.union(corpus)))
    }

    /// The validation split (what defaults are tuned on) is the held-out problems after probe_sft_only's
    /// share: disjoint from that probe, from probe_pretrain, from the benchmarks and from training; its
    /// metrics are logged with every evaluation; a validation set the held-out set cannot hold is refused.
    @Test func validationSplitIsDisjointFromEveryTestSet() throws {
        let config = try TinyRun.config("sft", ["data.dataset.heldout_size=60", "eval.probe_size=20", "eval.validation_size=30",
                                                "eval.suite.benchmarks.size=50"])
        let data = try TrainData(config.data.dataset)
        let probe = Set(try TaskDatasets.retentionProbe(config.data.dataset, count: 20).map(\.prompt))
        let validation = Set(try RunEvaluation(config: config, data: data, contextLength: 64).validation.map(\.prompt))
        let sftProbe = Set(data.sets.heldout.prefix(20).map(\.prompt))
        let bench = Set(try Evaluator(config: config.eval.suite).sets.flatMap { $0.examples.map(\.prompt) })
        let training = Set((data.sets.sft + data.sets.rl).map(\.prompt))
        #expect(validation.count == 30)
        for (name, other) in [("probe_sft_only", sftProbe), ("probe_pretrain", probe), ("benchmarks", bench), ("training", training)] {
            #expect(validation.isDisjoint(with: other), "validation shares problems with \(name)")
        }
        let (result, csv) = try TinyRun.run(config, dir: "validation")
        #expect(result.status == .finished)
        for m in [EvalMetricNames.accuracy(Metric.validation), Metric.evalValidationNLL] { #expect(csv.contains(",\(m),"), "logs \(m)") }
        do {
            _ = try TinyRun.config("sft", ["data.dataset.heldout_size=16", "eval.probe_size=10", "eval.validation_size=10"])
            Issue.record("a validation set larger than the held-out set can hold was accepted")
        } catch { #expect("\(error)".contains("eval.validation_size") && "\(error)".contains("data.dataset.heldout_size"), "\(error)") }
    }
}
