import TensorCore

/// Train or test side of the content-hash split.
public enum Split: String, Codable, Sendable, CaseIterable {
    case train, test

    /// The split a problem belongs to: FNV-1a 64 of the prompt's UTF-8 bytes, avalanched by SplitMix64,
    /// mapped to [0, 1); below `testFraction` is test. A pure function of the problem text, so train and
    /// test sets are disjoint by construction whatever seed, size or difficulty produced them.
    public static func of(prompt: String, testFraction: Double) -> Split {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in prompt.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        let u = Double(RNG.mix(h) >> 11) * 0x1.0p-53
        return u < testFraction ? .test : .train
    }
}

/// Draws problems from a difficulty setting, keyed by (stream, split, index), by rejection on the split.
public struct TaskGenerator: Sendable {
    public let difficulty: TaskDifficulty
    public let families: [TaskFamily]
    /// Fraction of the problem space assigned to the test split.
    public let testFraction: Double
    /// Draws per example before giving up (a split with almost no problems at this difficulty).
    public static let maxAttempts = 2000

    public init(difficulty: TaskDifficulty, testFraction: Double, source: String = "tasks") throws {
        try difficulty.validate(source: source)
        guard testFraction > 0, testFraction < 1 else {
            throw ConfigErrorShim.invalid(source, "test_fraction", "must be in (0, 1), got \(testFraction)", "use e.g. 0.2")
        }
        self.difficulty = difficulty
        self.families = try difficulty.resolvedFamilies(source: source)
        self.testFraction = testFraction
    }

    /// One problem of a family from a stream, ignoring splits (nil: rejected draw, try another stream).
    public func draw(_ family: TaskFamily, rng: inout RNG) -> Example? {
        switch family {
        case .addition: return AdditionTask.generate(difficulty.addition, rng: &rng)
        case .multiplication: return MultiplicationTask.generate(difficulty.multiplication, rng: &rng)
        case .expression: return ExpressionTask.generate(difficulty.expression, rng: &rng)
        }
    }

    /// The `index`-th example of `split` under `stream`: a pure function of (stream key, split, index).
    /// The family is drawn uniformly from `families`, then problems are drawn from
    /// `stream.derive("<family>/<split>", index).derive("attempt", k)` for k = 0, 1, ... until one
    /// falls in `split`.
    public func example(stream: RNG, split: Split, index: Int) throws -> Example {
        var pick = stream.derive("family/\(split.rawValue)", UInt64(index))
        let family = families[pick.int(below: families.count)]
        let base = stream.derive("\(family.rawValue)/\(split.rawValue)", UInt64(index))
        for k in 0..<TaskGenerator.maxAttempts {
            var rng = base.derive("attempt", UInt64(k))
            guard let ex = draw(family, rng: &rng) else { continue }
            if Split.of(prompt: ex.prompt, testFraction: testFraction) == split { return ex }
        }
        throw ConfigErrorShim.invalid("tasks", family.rawValue,
                                      "no \(split.rawValue) problem found in \(TaskGenerator.maxAttempts) draws at this difficulty",
                                      "widen the difficulty range (more digits or steps) or change test_fraction")
    }

    /// `count` distinct problems of a split: indices 0, 1, 2, ... of `stream`, skipping prompts already
    /// taken (evaluation sets weigh every problem once). Prefix-stable like `examples`; throws when the
    /// problem space is too small (more than 20·count draws).
    public func uniqueExamples(stream: RNG, split: Split, count: Int, source: String) throws -> [Example] {
        var out: [Example] = [], seen = Set<String>()
        var index = 0
        while out.count < count {
            guard index < 20 * count + 100 else {
                throw ConfigErrorShim.invalid(source, "size", "only \(out.count) distinct \(split.rawValue) problems found in \(index) draws",
                                              "lower the size or widen the difficulty")
            }
            let ex = try example(stream: stream, split: split, index: index)
            index += 1
            if seen.insert(ex.prompt).inserted { out.append(ex) }
        }
        return out
    }

    /// `count` examples of a split: indices 0..<count of `stream`.
    public func examples(stream: RNG, split: Split, count: Int) throws -> [Example] {
        try (0..<count).map { try example(stream: stream, split: split, index: $0) }
    }
}
