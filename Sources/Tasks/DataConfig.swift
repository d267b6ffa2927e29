/// Everything that determines the generated datasets (`bridge data generate --config`), with defaults.
public struct DataConfig: Codable, Sendable, Equatable {
    /// Root seed of all data streams (same seed → byte-identical datasets).
    public var seed: Int = 1
    /// Task families and difficulty of the training distribution (SFT, RL, held-out, pretraining).
    public var tasks = TaskDifficulty()
    /// Fraction of the problem space (by content hash, `Split`) reserved for the benchmarks; 0.2 leaves
    /// enough single-digit problems on both sides.
    public var testFraction: Double = 0.2
    /// Fraction of the problem space reserved for the pretraining corpus. The corpus has its own region
    /// so that no SFT example, RL prompt, held-out problem or probe was seen (with its answer) in
    /// pretraining: with one shared train region, 701 of 1,585 distinct RL prompts at seed 1 were
    /// corpus documents. 0.35 gives pretraining and fine-tuning equal shares of the space left after
    /// the test and held-out regions, so both still cover the small (single-digit) problems.
    public var pretrainFraction: Double = 0.35
    /// Fraction of the problem space reserved for the held-out SFT set and the forgetting probes: never
    /// trained on and never a benchmark problem (a probe that shares problems with b1_indist measures
    /// b1_indist twice). 0.1: 500 held-out problems and 200 probes need far fewer than the space holds.
    public var heldoutFraction: Double = 0.1
    /// SFT set size (prompt, trace, answer), from the train split.
    public var sftSize: Int = 2000
    /// RL prompt set size (prompt, answer), from the train split.
    public var rlSize: Int = 2000
    /// Held-out SFT set size, from the test split (measures what SFT taught and later forgot).
    public var heldoutSize: Int = 500
    /// Pretraining problems (direct answers, or traces for a pretrain_trace_fraction of them), from the train split.
    public var pretrainProblems: Int = 20000
    /// Copies of each single-digit fact ("7+5=12", "7*6=42") in the pretraining corpus (0 = none).
    public var pretrainFactCopies: Int = 5
    /// Fraction of pretraining problems written with their trace (`prompt\ntrace#answer`) instead of a
    /// direct answer. 0.5, chosen on the validation split (docs/training.md, "Calibration"): the base must
    /// solve enough problems with traces for RL's groups to carry signal, and few enough for SFT to
    /// have something to teach; 0.25 left RL without signal, 1.0 left SFT and RL nothing to add.
    public var pretrainTraceFraction: Double = 0.5
    /// Fraction of SFT traces with one corrupted step (emulates noisy distilled traces; 0 = clean).
    public var traceNoise: Double = 0
    /// The benchmark suite scored on models trained from these data (its test_fraction must match).
    public var benchmarks = BenchmarkConfig()

    public init() {}

    enum CodingKeys: String, CodingKey {
        case seed, tasks, testFraction = "test_fraction", pretrainFraction = "pretrain_fraction",
             heldoutFraction = "heldout_fraction", sftSize = "sft_size", rlSize = "rl_size",
             heldoutSize = "heldout_size", pretrainProblems = "pretrain_problems",
             pretrainFactCopies = "pretrain_fact_copies",
             pretrainTraceFraction = "pretrain_trace_fraction", traceNoise = "trace_noise", benchmarks
    }

    /// The regions of the problem space (`Split`) these fractions lay out.
    public var fractions: SplitFractions {
        SplitFractions(test: testFraction, pretrain: pretrainFraction, heldout: heldoutFraction)
    }

    /// Range checks (sizes, fractions, difficulty); throws naming the key.
    public func validate(source: String = "data") throws {
        try tasks.validate(source: source + ": tasks")
        for (key, v) in [("sft_size", sftSize), ("rl_size", rlSize), ("heldout_size", heldoutSize),
                         ("pretrain_problems", pretrainProblems), ("pretrain_fact_copies", pretrainFactCopies)] where v < 0 {
            throw ConfigErrorShim.invalid(source, key, "must be >= 0, got \(v)", "use a non-negative size")
        }
        guard pretrainTraceFraction >= 0, pretrainTraceFraction <= 1 else {
            throw ConfigErrorShim.invalid(source, "pretrain_trace_fraction", "must be in [0, 1], got \(pretrainTraceFraction)", "use e.g. 0.25")
        }
        try fractions.validate(source: source)
        guard benchmarks.testFraction == testFraction else {
            throw ConfigErrorShim.invalid(source, "benchmarks.test_fraction", "is \(benchmarks.testFraction) but test_fraction is \(testFraction): benchmarks could overlap the training sets", "set both to the same value")
        }
        guard benchmarks.size > 0 else {
            throw ConfigErrorShim.invalid(source, "benchmarks.size", "must be > 0", "use e.g. 200")
        }
        _ = try BenchmarkSuite.select(benchmarks.names, source: source + ": benchmarks")
        guard traceNoise >= 0, traceNoise <= 1 else {
            throw ConfigErrorShim.invalid(source, "trace_noise", "must be in [0, 1], got \(traceNoise)", "use e.g. 0.1")
        }
    }
}
