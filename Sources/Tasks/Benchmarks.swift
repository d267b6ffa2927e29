import TensorCore

/// One named evaluation set: a difficulty, drawn from the test split with a fixed seed and size.
public struct Benchmark: Sendable, Equatable {
    /// Short name used in CSV columns and `--benchmarks` (e.g. "b1_indist").
    public let name: String
    /// What the set probes (docs and `bridge data show`).
    public let probes: String
    /// The distribution the set is drawn from.
    public let difficulty: TaskDifficulty
    /// Whether the set lies inside the range the SFT and RL data cover (b1, b2): what training can reach
    /// by construction. The others measure generalisation beyond it (longer, deeper, composed problems).
    public var inTrainingRange: Bool = false

    /// The set's problems: `count` distinct test-split examples of stream `RNG(seed).derive("benchmark").derive(name)`.
    public func examples(seed: Int, count: Int, testFraction: Double) throws -> [Example] {
        let gen = try TaskGenerator(difficulty: difficulty, fractions: SplitFractions(test: testFraction), source: "benchmark \(name)")
        let stream = RNG(seed: UInt64(bitPattern: Int64(seed))).derive("benchmark").derive(name)
        return try gen.uniqueExamples(stream: stream, split: .test, count: count, source: "benchmark \(name)")
    }
}

/// Which benchmarks to build and how (the `benchmarks:` section of configs).
public struct BenchmarkConfig: Codable, Sendable, Equatable {
    /// Seed of the benchmark sets (fixed across runs so that every method is scored on the same problems).
    public var seed: Int = 2026
    /// Problems per benchmark (200: a 95% CI of about ±7 points at 50% accuracy).
    public var size: Int = 200
    /// Benchmarks to run, by name (empty = all five).
    public var names: [String] = []
    /// Must equal the data config's test_fraction so that benchmarks stay disjoint from training sets.
    public var testFraction: Double = 0.2

    public init(seed: Int = 2026, size: Int = 200, names: [String] = [], testFraction: Double = 0.2) {
        self.seed = seed; self.size = size; self.names = names; self.testFraction = testFraction
    }
    enum CodingKeys: String, CodingKey { case seed, size, names, testFraction = "test_fraction" }
}

/// The five benchmarks of rising difficulty, the testbed's stand-ins for MATH500 ... AIME24.
public enum BenchmarkSuite {
    /// All five, easiest first.
    public static let all: [Benchmark] = [
        Benchmark(name: "b1_indist",
                  probes: "in distribution: the training mix (add and mul with 1-3 digits, expr with 1-2 steps), unseen problems",
                  difficulty: TaskDifficulty(), inTrainingRange: true),
        Benchmark(name: "b2_harder",
                  probes: "upper edge of the training range: add and mul with 3-4 digits, expr with 2-3 steps",
                  difficulty: TaskDifficulty(addition: .init(minDigits: 3, maxDigits: 4),
                                             multiplication: .init(minDigits: 3, maxDigits: 4),
                                             expression: .init(minSteps: 2, maxSteps: 3)),
                  inTrainingRange: true),
        Benchmark(name: "b3_longer",
                  probes: "length generalisation: add and mul with 5-6 digits (more columns and carries than trained)",
                  difficulty: TaskDifficulty(families: ["add", "mul"],
                                             addition: .init(minDigits: 5, maxDigits: 6),
                                             multiplication: .init(minDigits: 5, maxDigits: 6))),
        Benchmark(name: "b4_deeper",
                  probes: "depth generalisation: expressions with 4-5 operations on single digits (values up to 99)",
                  difficulty: TaskDifficulty(families: ["expr"], expression: .init(minSteps: 4, maxSteps: 5))),
        Benchmark(name: "b5_compose",
                  probes: "composition: expressions with 2-3 operations on operands up to 99 (multi-digit arithmetic inside reduction, values up to 999)",
                  difficulty: TaskDifficulty(families: ["expr"], expression: .init(minSteps: 2, maxSteps: 3, maxOperand: 99, maxValue: 999))),
    ]

    public static var names: [String] { all.map(\.name) }

    /// The benchmarks inside the training range (`Benchmark.inTrainingRange`), by name.
    public static var inTrainingRangeNames: [String] { all.filter(\.inTrainingRange).map(\.name) }

    /// The benchmarks named in `names` (all when empty), in suite order; throws on an unknown name.
    public static func select(_ names: [String], source: String = "benchmarks") throws -> [Benchmark] {
        if names.isEmpty { return all }
        for n in names where !all.contains(where: { $0.name == n }) {
            let hint = BridgeSupportNearest.find(n, in: self.names).map { " (did you mean '\($0)'?)" } ?? ""
            throw ConfigErrorShim.invalid(source, "names", "unknown benchmark '\(n)'\(hint)", "use some of \(self.names.joined(separator: ", "))")
        }
        return all.filter { names.contains($0.name) }
    }

    /// The examples of every selected benchmark, in suite order.
    public static func build(_ config: BenchmarkConfig) throws -> [(benchmark: Benchmark, examples: [Example])] {
        guard config.size > 0 else { throw ConfigErrorShim.invalid("benchmarks", "size", "must be > 0", "use e.g. 200") }
        return try select(config.names).map { b in
            (b, try b.examples(seed: config.seed, count: config.size, testFraction: config.testFraction))
        }
    }

    /// Tokens of the longest full sequence «BOS» prompt "\n" trace "#" answer «EOS» of a set (0 when empty).
    public static func longestSequence(_ examples: [Example], tokenizer: Tokenizer = .standard) throws -> Int {
        try examples.map { try tokenizer.encode($0, context: "benchmark example").tokens.count }.max() ?? 0
    }

    /// Refuses sets that a model of context `contextLength` cannot answer in full: a problem whose prompt
    /// plus worked answer is longer than the context can never be solved with its trace, and scoring it
    /// would only add a dead column to the mean. Throws naming the benchmark, its length and the context;
    /// `path` is the config key that lists the benchmarks (for the fix).
    /// The names of the config's benchmarks (all when it names none) whose sequences fit `contextLength`,
    /// in suite order: what a command evaluates when the user named no benchmarks.
    public static func fitting(_ config: BenchmarkConfig, contextLength: Int) throws -> [String] {
        try build(config).filter { try longestSequence($0.examples) <= contextLength }.map(\.benchmark.name)
    }

    public static func checkFits(_ sets: [(name: String, examples: [Example])], contextLength: Int,
                                 source: String, path: String) throws {
        var fitting: [String] = []
        var tooLong: [(name: String, length: Int)] = []
        for s in sets {
            let n = try longestSequence(s.examples)
            if n > contextLength { tooLong.append((s.name, n)) } else { fitting.append(s.name) }
        }
        guard let first = tooLong.first else { return }
        let list = tooLong.map { "\($0.name) (\($0.length) tokens)" }.joined(separator: ", ")
        throw ConfigErrorShim.invalid(source, path,
                                      "benchmark \(first.name) has sequences (prompt + worked answer) of up to \(first.length) tokens, more than the model's context of \(contextLength) (too long: \(list))",
                                      "list only benchmarks that fit, e.g. \(path)=[\(fitting.joined(separator: ","))], or use a preset with a longer context (small: 128)")
    }
}
