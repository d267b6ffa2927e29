import BridgeSupport
import Foundation
import GPT
import Tasks
import TensorCore

/// The pretraining corpus of a base model: the `pretrain` set of a data config (problems with direct
/// answers or, for a trace_fraction of them, traces; plus single-digit facts), described by the fields that determine it.
public struct PretrainCorpusConfig: Codable, Sendable, Equatable {
    /// Root seed of the data streams (the data config's `seed`).
    public var seed: Int = 1
    /// Families and difficulty (the data config's `tasks`): the same distribution SFT and RL see.
    public var tasks = TaskDifficulty()
    /// Test fraction of the content-hash split (the data config's `test_fraction`): where the corpus region starts.
    public var testFraction: Double = 0.2
    /// Size of the corpus region (the data config's `pretrain_fraction`): the corpus holds no SFT, RL,
    /// held-out, probe or benchmark problem (docs/tasks.md, regions).
    public var pretrainFraction: Double = 0.35
    /// Problems with direct answers (20000: each seen about 6 times in the default 2000 × 64 budget).
    public var problems: Int = 20000
    /// Copies of each single-digit fact (5: 1000 fact lines, ~5% of the corpus).
    public var factCopies: Int = 5
    /// Fraction of problems written with their trace (the data config's `pretrain_trace_fraction`).
    public var traceFraction: Double = DataConfig().pretrainTraceFraction

    public init() {}

    /// The corpus fields of a data config.
    public init(data: DataConfig) {
        seed = data.seed; tasks = data.tasks; testFraction = data.testFraction; pretrainFraction = data.pretrainFraction
        problems = data.pretrainProblems; factCopies = data.pretrainFactCopies
        traceFraction = data.pretrainTraceFraction
    }

    enum CodingKeys: String, CodingKey {
        case seed, tasks, testFraction = "test_fraction", pretrainFraction = "pretrain_fraction", problems, factCopies = "fact_copies", traceFraction = "trace_fraction"
    }

    /// The data config that generates this corpus (other sets empty).
    public var dataConfig: DataConfig {
        var d = DataConfig()
        d.seed = seed; d.tasks = tasks; d.testFraction = testFraction; d.benchmarks.testFraction = testFraction
        d.pretrainFraction = pretrainFraction
        // The held-out region lies after the corpus region and does not change the corpus; any size that
        // leaves a train region passes validation.
        d.heldoutFraction = max(0, 1 - testFraction - pretrainFraction) / 2
        d.pretrainProblems = problems; d.pretrainFactCopies = factCopies; d.pretrainTraceFraction = traceFraction
        d.sftSize = 0; d.rlSize = 0; d.heldoutSize = 0
        return d
    }

    /// The documents, in corpus order.
    public func documents() throws -> [String] { try TaskDatasets.build(dataConfig, source: "pretrain.corpus").pretrain }
}

/// How pretraining documents are laid out in the rows of a batch.
public enum PretrainLayout: String, ConfigChoice {
    /// Documents «BOS» doc «EOS» drawn at random and concatenated until the row holds context + 1 tokens
    /// (the last one cut), GPT-2's own recipe. Every position 0..<context is trained in every row; the
    /// model stays plain GPT-2 (causal attention across the packed documents, positions 0, 1, 2, ...),
    /// so the Hugging Face export computes the same function. The default: documents are at most 44
    /// tokens, so with one document per row the position embeddings from ~44 on were never trained and
    /// the longer benchmarks (b3_longer averages 72.5 tokens, b4_deeper 52.4) were out of reach.
    case packed
    /// One document per row, padded to the longest in the batch (the layout before cache key v4): only
    /// positions below the longest document are trained. Kept for comparison (docs/tasks.md).
    case document
}

/// Everything that determines a base model; its canonical JSON's SHA-256 is the cache key.
public struct PretrainConfig: Codable, Sendable, Equatable {
    /// GPT shape (default = the `small` preset: V32 T128 C128 L4 NH4).
    public var model = GPTConfig()
    /// The pretraining corpus.
    public var corpus = PretrainCorpusConfig()
    /// Seed of the initialisation (`derive("pretrain/init")`) and of the batch draws (`derive("pretrain/batch", step)`).
    public var seed: Int = 1
    /// Optimizer steps (2000 × 16 packed rows: a few CPU minutes for the small preset in release).
    public var steps: Int = 2000
    /// Rows per step. 16 packed rows of 129 tokens (about 110 documents of 18 tokens on average) cost about
    /// what the former 64 one-document rows padded to the batch's longest (64 × ≤ 44 tokens) did per step.
    public var batchSize: Int = 16
    /// Row layout: packed (default) or one document per row.
    public var layout = PretrainLayout.packed
    /// AdamW (lr 1e-3 as nanoGPT's small models, β₂ 0.95, no weight decay).
    public var optimizer = AdamWConfig(learningRate: 1e-3, weightDecay: 0)
    /// Linear warm-up steps (100: avoids early Adam blow-ups at lr 1e-3).
    public var warmupSteps: Int = 100
    /// Cosine decay ends at this fraction of the learning rate (0.1, as nanoGPT).
    public var minLRFraction: Double = 0.1
    /// Global gradient-norm clip (1.0, as GPT-2/nanoGPT; ≤ 0 disables).
    public var gradClip: Double = 1

    public init() {}

    enum CodingKeys: String, CodingKey {
        case model, corpus, seed, steps, batchSize = "batch_size", layout, optimizer, warmupSteps = "warmup_steps",
             minLRFraction = "min_lr_fraction", gradClip = "grad_clip"
    }

    /// Bumped whenever the pretraining code or the kernels change what a config produces (invalidates
    /// the cache). v2: the GPT kernels with SIMD reductions and FastMath.exp. v3: attention tiles
    /// (hand-written causal attention instead of per-head GEMMs; last-bit differences). v4: packed rows
    /// (`layout`), the corpus in its own region of the problem space, 16 rows per step. v5: the OpenBLAS
    /// core is part of the key.
    public static let codeVersion = 5

    /// Cache key: SHA-256 of "bridge-pretrain/v<codeVersion>", the OpenBLAS core, the kernel generation
    /// (from generation 2 on; generation 1's keys are those written before generations existed) and the
    /// config's canonical JSON. Core and generation are in it because a base model's bits depend on them:
    /// a process running another core or generation (`BRIDGE_BLAS_CORE`, `BRIDGE_KERNELS`, `study verify`
    /// with a study's committed ones) must not take a base that one computed.
    public func cacheKey(blasCore: String = BLAS.coreName, kernels: KernelGeneration = .current) throws -> String {
        let generation = kernels == .v1 ? "" : "kernels\(kernels.rawValue):"
        return SHA256.hex("bridge-pretrain/v\(PretrainConfig.codeVersion):\(blasCore):\(generation)"
                          + (try ConfigValue.encode(self).canonicalJSON))
    }

    public func validate(source: String = "pretrain") throws {
        func bad(_ key: String, _ message: String, _ fix: String) -> ConfigError {
            .invalid(source: source, path: key, line: nil, message: message, fix: fix)
        }
        try model.validate(source: source + ": model")
        if model.vocabSize < Tokenizer.standard.vocabSize {
            throw bad("model.vocab_size", "is \(model.vocabSize), the tokenizer needs \(Tokenizer.standard.vocabSize)", "use vocab_size >= \(Tokenizer.standard.vocabSize)")
        }
        try corpus.dataConfig.validate(source: source + ": corpus")
        if corpus.problems + corpus.factCopies == 0 { throw bad("corpus.problems", "the corpus is empty", "use e.g. 20000 problems") }
        if steps < 0 { throw bad("steps", "must be >= 0", "use e.g. 2000") }
        if batchSize < 1 { throw bad("batch_size", "must be >= 1", "use e.g. 16") }
        if warmupSteps < 0 { throw bad("warmup_steps", "must be >= 0", "use e.g. 100") }
        if !(optimizer.learningRate > 0) { throw bad("optimizer.lr", "must be > 0", "use e.g. 1e-3") }
        if !(minLRFraction >= 0 && minLRFraction <= 1) { throw bad("min_lr_fraction", "must be in [0, 1]", "use e.g. 0.1") }
    }

    /// Learning rate at update `step` (0-based): linear warm-up, then cosine to min_lr_fraction.
    public func learningRate(at step: Int) -> Double {
        let lr = optimizer.learningRate
        if step < warmupSteps { return lr * Double(step + 1) / Double(warmupSteps) }
        let span = max(1, steps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(span))
        return lr * (minLRFraction + (1 - minLRFraction) * 0.5 * (1 + cos(Double.pi * progress)))
    }
}
