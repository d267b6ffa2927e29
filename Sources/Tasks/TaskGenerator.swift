import TensorCore

/// The region of the problem space a problem belongs to. Every set draws from exactly one region, so sets
/// of different regions are disjoint by construction, whatever their seeds, sizes and difficulties.
///
/// A problem's position u ∈ [0, 1) is a pure function of its prompt text (FNV-1a 64 of the UTF-8 bytes,
/// avalanched by SplitMix64); the regions are consecutive intervals of u (`SplitFractions`):
/// `test` [0, t) for the benchmarks, `pretrain` [t, t + p) for the base model's corpus, `heldout`
/// [t + p, t + p + h) for the held-out SFT set and the forgetting probes, `train` [t + p + h, 1) for
/// the SFT set and the RL prompts.
public enum Split: String, Codable, Sendable, CaseIterable {
    case test, pretrain, heldout, train

    /// The position u ∈ [0, 1) of a prompt in the problem space.
    public static func position(of prompt: String) -> Double {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in prompt.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return Double(RNG.mix(h) >> 11) * 0x1.0p-53
    }

    /// The region a prompt belongs to under `fractions`.
    public static func of(prompt: String, fractions: SplitFractions) -> Split {
        fractions.split(at: position(of: prompt))
    }
}

/// Sizes of the regions of the problem space (fractions of it), in the order they are laid out.
public struct SplitFractions: Sendable, Equatable {
    /// Benchmarks (the data config's test_fraction).
    public var test: Double
    /// The pretraining corpus (pretrain_fraction).
    public var pretrain: Double
    /// The held-out SFT set and the probes (heldout_fraction).
    public var heldout: Double

    /// Fractions for a generator that only draws benchmark (test) problems: the other regions only
    /// matter to sets of the train side, and 0 leaves all of [t, 1) to them.
    public init(test: Double, pretrain: Double = 0, heldout: Double = 0) {
        self.test = test; self.pretrain = pretrain; self.heldout = heldout
    }

    /// The region of position u.
    public func split(at u: Double) -> Split {
        if u < test { return .test }
        if u < test + pretrain { return .pretrain }
        if u < test + pretrain + heldout { return .heldout }
        return .train
    }

    /// Range checks: the test region and the train region are non-empty, the others non-negative.
    public func validate(source: String) throws {
        guard test > 0, test < 1 else {
            throw ConfigErrorShim.invalid(source, "test_fraction", "must be in (0, 1), got \(test)", "use e.g. 0.2")
        }
        guard pretrain >= 0, heldout >= 0 else {
            throw ConfigErrorShim.invalid(source, pretrain < 0 ? "pretrain_fraction" : "heldout_fraction", "must be >= 0",
                                          "use e.g. 0.35 and 0.1")
        }
        guard test + pretrain + heldout < 1 else {
            throw ConfigErrorShim.invalid(source, "pretrain_fraction",
                                          "test_fraction + pretrain_fraction + heldout_fraction = \(test + pretrain + heldout) leaves no problems for SFT and RL",
                                          "keep the sum below 1 (defaults 0.2 + 0.35 + 0.1)")
        }
    }
}

/// Draws problems from a difficulty setting, keyed by (stream, split, index), by rejection on the split.
public struct TaskGenerator: Sendable {
    public let difficulty: TaskDifficulty
    public let families: [TaskFamily]
    /// Sizes of the regions of the problem space.
    public let fractions: SplitFractions
    /// Draws per example before giving up (a split with almost no problems at this difficulty).
    public static let maxAttempts = 2000

    public init(difficulty: TaskDifficulty, fractions: SplitFractions, source: String = "tasks") throws {
        try difficulty.validate(source: source)
        try fractions.validate(source: source)
        self.difficulty = difficulty
        self.families = try difficulty.resolvedFamilies(source: source)
        self.fractions = fractions
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
            if Split.of(prompt: ex.prompt, fractions: fractions) == split { return ex }
        }
        throw ConfigErrorShim.invalid("tasks", family.rawValue,
                                      "no \(split.rawValue) problem found in \(TaskGenerator.maxAttempts) draws at this difficulty",
                                      "widen the difficulty range (more digits or steps) or change the split fractions")
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
