import BridgeSupport
import Foundation
import GPT
import Tasks
import TensorCore

/// How a model is scored on the benchmark suite.
public struct EvaluationConfig: Codable, Sendable, Equatable {
    /// Which benchmark sets (seed, size, names, test_fraction).
    public var benchmarks = BenchmarkConfig()
    /// Prompts per sampling batch (64: one KV-cache batch keeps the GEMMs reasonably tall).
    public var batchSize: Int = 64
    /// k of pass@k (k samples per problem at `pass_k_temperature`); 0 or 1 = greedy pass@1 only.
    public var passK: Int = 0
    /// Sampling temperature of the pass@k samples (1: the model's own distribution).
    public var passKTemperature: Double = 1
    /// Seed of the pass@k sampling streams (greedy decoding draws nothing).
    public var seed: Int = 0
    /// Cap on generated tokens per problem; 0 = up to the model's context length.
    public var maxNewTokens: Int = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case benchmarks, batchSize = "batch_size", passK = "pass_k", passKTemperature = "pass_k_temperature",
             seed, maxNewTokens = "max_new_tokens"
    }

    public func validate(source: String = "eval") throws {
        func bad(_ key: String, _ message: String, _ fix: String) -> ConfigError {
            .invalid(source: source, path: key, line: nil, message: message, fix: fix)
        }
        if batchSize < 1 { throw bad("batch_size", "must be >= 1, got \(batchSize)", "use e.g. 64") }
        if passK < 0 { throw bad("pass_k", "must be >= 0, got \(passK)", "use 0 (off) or e.g. 8") }
        if passK > 1, !(passKTemperature > 0) { throw bad("pass_k_temperature", "must be > 0 for pass@k", "use e.g. 1") }
        if maxNewTokens < 0 { throw bad("max_new_tokens", "must be >= 0", "use 0 (context length) or a cap") }
        if benchmarks.size < 1 { throw bad("benchmarks.size", "must be >= 1", "use e.g. 200") }
        _ = try BenchmarkSuite.select(benchmarks.names, source: source + ": benchmarks")
    }
}

/// Metric names written by the evaluator (the eval/ namespace of metrics.csv).
public enum EvalMetricNames {
    public static func accuracy(_ set: String) -> String { "eval/\(set)/accuracy" }
    public static func formatErrorRate(_ set: String) -> String { "eval/\(set)/format_error_rate" }
    public static func passAtK(_ set: String) -> String { "eval/\(set)/pass_at_k" }
    public static func meanLength(_ set: String) -> String { "eval/\(set)/completion_length" }
    /// Greedy pass@1 on the set's problems of one task family (add, mul, expr): the mean over families
    /// can hide one family rising while another falls. Named so that `eval/b*/accuracy` does not match it.
    public static func familyAccuracy(_ set: String, _ family: TaskFamily) -> String { "eval/\(set)/accuracy_\(family.rawValue)" }
    public static let meanAccuracy = "eval/mean_accuracy"
    /// Mean accuracy over the evaluated benchmarks inside the training range (b1_indist, b2_harder):
    /// what the methods can reach by construction, without the generalisation sets that dilute the mean.
    public static let inRangeMeanAccuracy = "eval/in_range_mean_accuracy"
    public static let meanFormatErrorRate = "eval/mean_format_error_rate"
    public static let meanPassAtK = "eval/mean_pass_at_k"
}

/// Scores of one evaluation set.
public struct SetScore: Codable, Sendable, Equatable {
    /// Set name (benchmark name or a caller's label such as "heldout").
    public var name: String
    /// Number of problems.
    public var problems: Int
    /// Greedy pass@1: fraction of problems whose greedy completion is correct.
    public var accuracy: Double
    /// Fraction of greedy completions that were malformed (no EOS, no marker, non-integer answer).
    public var formatErrorRate: Double
    /// pass@k with k sampled completions per problem (fraction with at least one correct); -1 when off.
    public var passAtK: Double
    /// Mean number of generated tokens of the greedy completions (EOS included).
    public var meanCompletionLength: Double
    /// Accuracy per task family present in the set, in TaskFamily order (empty for sets of user prompts).
    public var families: [FamilyScore] = []
}

extension SetScore {
    /// Scores completions (one per example, in order) by exact-match verification: accuracy, format errors,
    /// length, and accuracy per task family (by prompt tag). pass@k is left off (-1).
    public static func tally(name: String, examples: [Example], completions: [[Int32]], tokenizer: Tokenizer = .standard) -> SetScore {
        let n = examples.count
        guard n > 0 else { return SetScore(name: name, problems: 0, accuracy: 0, formatErrorRate: 0, passAtK: -1, meanCompletionLength: 0) }
        var correct = 0, malformed = 0, length = 0
        var familyCounts = [Int](repeating: 0, count: TaskFamily.allCases.count)
        var familyCorrect = familyCounts
        for (i, c) in completions.enumerated() {
            length += c.count
            let f = TaskFamily.of(prompt: examples[i].prompt).flatMap { TaskFamily.allCases.firstIndex(of: $0) }
            if let f { familyCounts[f] += 1 }
            switch Verifier.check(completion: c, answer: examples[i].answer, tokenizer: tokenizer) {
            case .correct:
                correct += 1
                if let f { familyCorrect[f] += 1 }
            case .malformed: malformed += 1
            case .incorrect: break
            }
        }
        let families = TaskFamily.allCases.indices.filter { familyCounts[$0] > 0 }.map {
            FamilyScore(family: TaskFamily.allCases[$0], problems: familyCounts[$0],
                        accuracy: Double(familyCorrect[$0]) / Double(familyCounts[$0]))
        }
        return SetScore(name: name, problems: n, accuracy: Double(correct) / Double(n),
                        formatErrorRate: Double(malformed) / Double(n), passAtK: -1,
                        meanCompletionLength: Double(length) / Double(n), families: families)
    }
}

/// Greedy pass@1 of one task family's problems within a set.
public struct FamilyScore: Codable, Sendable, Equatable {
    public var family: TaskFamily
    public var problems: Int
    public var accuracy: Double
}

/// The scores of every set plus their means (what `bridge eval` prints and writes).
public struct EvaluationReport: Sendable, Equatable {
    public var sets: [SetScore]
    /// k of the pass@k column (0 when off).
    public var passK: Int

    public var meanAccuracy: Double { mean(sets.map(\.accuracy)) }
    /// Mean accuracy over the sets that are benchmarks inside the training range; nil when none was evaluated.
    public var inRangeMeanAccuracy: Double? {
        let inRange = sets.filter { BenchmarkSuite.inTrainingRangeNames.contains($0.name) }
        return inRange.isEmpty ? nil : mean(inRange.map(\.accuracy))
    }
    public var meanFormatErrorRate: Double { mean(sets.map(\.formatErrorRate)) }
    public var meanPassAtK: Double { passK > 1 ? mean(sets.map(\.passAtK)) : -1 }

    private func mean(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.reduce(0, +) / Double(x.count) }

    /// (metric, value) pairs for a MetricLog, in a fixed order: per set, then the means.
    public var metrics: [(name: String, value: Double)] {
        var out: [(String, Double)] = []
        for s in sets {
            out.append((EvalMetricNames.accuracy(s.name), s.accuracy))
            out.append((EvalMetricNames.formatErrorRate(s.name), s.formatErrorRate))
            out.append((EvalMetricNames.meanLength(s.name), s.meanCompletionLength))
            if passK > 1 { out.append((EvalMetricNames.passAtK(s.name), s.passAtK)) }
            for f in s.families { out.append((EvalMetricNames.familyAccuracy(s.name, f.family), f.accuracy)) }
        }
        out.append((EvalMetricNames.meanAccuracy, meanAccuracy))
        if let r = inRangeMeanAccuracy { out.append((EvalMetricNames.inRangeMeanAccuracy, r)) }
        out.append((EvalMetricNames.meanFormatErrorRate, meanFormatErrorRate))
        if passK > 1 { out.append((EvalMetricNames.meanPassAtK, meanPassAtK)) }
        return out
    }

    /// CSV: one row per set and a final "mean" row. Columns: benchmark, problems, accuracy,
    /// format_error_rate, pass_at_k (empty when off), k, completion_length.
    public var csv: CSVTable {
        var t = CSVTable(columns: ["benchmark", "problems", "accuracy", "format_error_rate", "pass_at_k", "k", "completion_length"])
        for s in sets {
            t.append([.text(s.name), .integer(s.problems), .number(s.accuracy), .number(s.formatErrorRate),
                      passK > 1 ? .number(s.passAtK) : .empty, .integer(passK), .number(s.meanCompletionLength)])
        }
        t.append([.text("mean"), .integer(sets.reduce(0) { $0 + $1.problems }), .number(meanAccuracy), .number(meanFormatErrorRate),
                  passK > 1 ? .number(meanPassAtK) : .empty, .integer(passK),
                  .number(sets.isEmpty ? 0 : sets.map(\.meanCompletionLength).reduce(0, +) / Double(sets.count))])
        return t
    }

    /// A fixed-width table for terminals.
    public var table: String {
        var lines = ["benchmark     problems  accuracy  format_err" + (passK > 1 ? "  pass@\(passK)" : "") + "  length"]
        func row(_ name: String, _ n: Int, _ acc: Double, _ fe: Double, _ pk: Double, _ len: Double) -> String {
            var s = name.padding(toLength: 14, withPad: " ", startingAt: 0) + String(format: "%8d  %8.3f  %10.3f", n, acc, fe)
            if passK > 1 { s += String(format: "  %7.3f", pk) }
            return s + String(format: "  %6.1f", len)
        }
        for s in sets { lines.append(row(s.name, s.problems, s.accuracy, s.formatErrorRate, s.passAtK, s.meanCompletionLength)) }
        let meanLen = sets.isEmpty ? 0 : sets.map(\.meanCompletionLength).reduce(0, +) / Double(sets.count)
        lines.append(row("mean", sets.reduce(0) { $0 + $1.problems }, meanAccuracy, meanFormatErrorRate, meanPassAtK, meanLen))
        return lines.joined(separator: "\n")
    }
}
