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

    /// The per-family breakdown counts each problem under the family its prompt tag names, and the
    /// family accuracies recombine into the set's accuracy; the in-range mean averages b1 and b2 only.
    @Test func familyBreakdownAndInRangeMean() throws {
        var c = tinyEvaluationConfig()
        c.benchmarks.size = 30
        let ev = try Evaluator(config: c)
        let report = ev.evaluate(model)
        for (i, s) in ev.sets.enumerated() {
            let score = report.sets[i]
            var counts: [TaskFamily: Int] = [:]
            for ex in s.examples { counts[TaskFamily.of(prompt: ex.prompt)!, default: 0] += 1 }
            #expect(score.families.map(\.family) == TaskFamily.allCases.filter { counts[$0] != nil }, "\(s.name): families in order")
            #expect(score.families.map(\.problems) == score.families.map { counts[$0.family]! })
            let recombined = score.families.reduce(0.0) { $0 + $1.accuracy * Double($1.problems) } / Double(score.problems)
            #expect(abs(recombined - score.accuracy) < 1e-12, "\(s.name): families recombine to the set's accuracy")
        }
        #expect(BenchmarkSuite.inTrainingRangeNames == ["b1_indist", "b2_harder"])
        let inRange = (report.sets[0].accuracy + report.sets[1].accuracy) / 2
        #expect(report.inRangeMeanAccuracy == inRange)
        let names = report.metrics.map(\.name)
        #expect(names.contains("eval/b1_indist/accuracy_add") && names.contains("eval/b4_deeper/accuracy_expr"))
        #expect(!names.contains("eval/b3_longer/accuracy_expr"), "b3_longer holds no expressions")
        #expect(names.contains(EvalMetricNames.inRangeMeanAccuracy))
        // Without b1 and b2 there is no in-range mean.
        c.benchmarks.names = ["b5_compose"]
        #expect(try Evaluator(config: c).evaluate(model).inRangeMeanAccuracy == nil)
    }

    /// Known completions: every third problem answered right, every fifth malformed; the per-family
    /// accuracies are the hand counts and recombine into the set's accuracy.
    @Test func familyTallyOfKnownCompletions() throws {
        let examples = try BenchmarkSuite.build(BenchmarkConfig(size: 40, names: ["b1_indist"]))[0].examples
        var completions: [[Int32]] = [], correct: [TaskFamily: Int] = [:], total: [TaskFamily: Int] = [:]
        for (i, ex) in examples.enumerated() {
            let f = TaskFamily.of(prompt: ex.prompt)!
            total[f, default: 0] += 1
            let right = try Tokenizer.standard.encode(ex).completion
            if i % 3 == 0 { completions.append(right); correct[f, default: 0] += 1 }
            else if i % 5 == 0 { completions.append([Tokenizer.eos]) }
            else { completions.append(try Tokenizer.standard.encode(Example(prompt: ex.prompt, answer: ex.answer + "1")).completion) }
        }
        let score = SetScore.tally(name: "b1", examples: examples, completions: completions)
        #expect(total.count == 3, "b1_indist holds all three families")
        #expect(score.families.map(\.family) == TaskFamily.allCases)
        for f in score.families {
            #expect(f.problems == total[f.family]!)
            #expect(f.accuracy == Double(correct[f.family, default: 0]) / Double(total[f.family]!), "\(f.family)")
        }
        #expect(score.accuracy == Double(correct.values.reduce(0, +)) / 40)
        let malformed: [Int] = (0..<40).filter { (i: Int) -> Bool in i % 3 != 0 && i % 5 == 0 }
        #expect(score.formatErrorRate == Double(malformed.count) / 40)
        #expect(score.accuracy > 0 && score.accuracy < 1)
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
