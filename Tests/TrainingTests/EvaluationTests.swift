import BridgeSupport
import GPT
import Tasks
import TensorCore
import Testing
import Training

/// A small evaluation setting for tests: 12 problems per benchmark, 5 prompts per batch.
func tinyEvaluationConfig(passK: Int = 0) -> EvaluationConfig {
    var c = EvaluationConfig()
    c.benchmarks.size = 12
    c.batchSize = 5
    c.passK = passK
    c.maxNewTokens = 24
    return c
}

@Suite struct EvaluationTests {
    let model = GPTModel(config: try! GPTConfig.preset("tiny"), lora: .none, rng: RNG(seed: 11))

    @Test func batchedGreedyScoresEqualOneByOneDecoding() throws {
        let ev = try Evaluator(config: tinyEvaluationConfig())
        let report = ev.evaluate(model)
        #expect(report.sets.map(\.name) == BenchmarkSuite.names)
        for (i, s) in ev.sets.enumerated() {
            var correct = 0, malformed = 0, length = 0
            for ex in s.examples {
                var rngs = [RNG(seed: 0)]
                let out = model.sample(prompts: [try Tokenizer.standard.encodePrompt(ex.prompt)], maxNewTokens: 24,
                                       options: SamplingOptions(temperature: 0, eosToken: Tokenizer.eos), rngs: &rngs).tokens[0]
                length += out.count
                switch Verifier.check(completion: out, answer: ex.answer) {
                case .correct: correct += 1
                case .malformed: malformed += 1
                case .incorrect: break
                }
            }
            let n = Double(s.examples.count)
            #expect(report.sets[i].accuracy == Double(correct) / n, "\(s.name): accuracy")
            #expect(report.sets[i].formatErrorRate == Double(malformed) / n, "\(s.name): format error rate")
            #expect(report.sets[i].meanCompletionLength == Double(length) / n, "\(s.name): completion length")
        }
        let mean = report.sets.map(\.accuracy).reduce(0, +) / 5
        #expect(report.meanAccuracy == mean)
    }

    @Test func deterministicAndPassAtKBoundsGreedy() throws {
        let a = try Evaluator(config: tinyEvaluationConfig(passK: 3)).evaluate(model)
        let b = try Evaluator(config: tinyEvaluationConfig(passK: 3)).evaluate(model)
        #expect(a == b)
        #expect(a.csv.text == b.csv.text)
        for s in a.sets { #expect(s.passAtK >= 0 && s.passAtK <= 1, "\(s.name): pass@k \(s.passAtK)") }
        let metricNames = a.metrics.map(\.name)
        #expect(metricNames.contains("eval/b1_indist/accuracy") && metricNames.contains("eval/mean_accuracy")
                && metricNames.contains("eval/b5_compose/pass_at_k"))
        let csv = CSVTable.parse(a.csv.text)
        #expect(csv.header == ["benchmark", "problems", "accuracy", "format_error_rate", "pass_at_k", "k", "completion_length"])
        #expect(csv.rows.count == 6 && csv.rows.last?.first == "mean")
    }

    @Test func badConfigIsRejected() {
        var c = tinyEvaluationConfig()
        c.benchmarks.names = ["b9"]
        #expect(throws: (any Error).self) { try Evaluator(config: c) }
        c = tinyEvaluationConfig(); c.batchSize = 0
        #expect(throws: (any Error).self) { try Evaluator(config: c) }
    }
}
