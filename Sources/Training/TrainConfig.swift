import BridgeSupport
import Foundation
import GPT
import Tasks
import TensorCore

/// The complete, strict configuration of one training run (`bridge train`, study runs of kind "train").
///
/// Every default is a property initialiser with the reason it was chosen; every **[choice]** of
/// method.md is a field here, so a study can vary it. YAML/JSON keys are snake_case. Load with
/// `TrainConfig.load(yamlText:source:overrides:)` (defaults, then YAML, then dotted `key=value`).
public struct TrainConfig: Codable, Sendable, Equatable {
    /// What to run: method, seed, step counts, logging and checkpoint cadence.
    public var run = RunSection()
    /// The transformer preset and its LoRA adapters (w).
    public var model = ModelSection()
    /// Task mix, difficulty, reward and noise settings.
    public var data = DataSection()
    /// AdamW for the base weights θ (the lower level in BRIDGE), learning rate α.
    public var optimTheta = OptimSection()
    /// AdamW for the LoRA adapters w (the upper level in BRIDGE), its own learning rate β = 3e-4
    /// (adapters start at B = 0 and need a larger rate than θ to matter). Measured (small preset,
    /// 150 updates, 200 held-out trace problems, base 0.280): RL-zero (seeds 1, 2) 0.385 and 0.325
    /// at β = 1e-4, 0.365 and 0.345 at 3e-4, 0.290 and 0.270 at 1e-3; SFT 0.340 at 1e-4, 0.355 at
    /// 3e-4 (1e-3: 0.350 with 2000 SFT examples). 3e-4 helps SFT without costing RL-zero
    /// (docs/training.md, tuning log).
    public var optimW = OptimSection(learningRate: 3e-4)
    /// Supervised fine-tuning: batch size and the SFT-specific options of sft, cold_start and mix.
    public var sft = SFTSection()
    /// GRPO: group size, clipping, KL, sampling, aggregation.
    public var rl = RLSection()
    /// BRIDGE: λ schedule, proxy θ̂ and the meta term.
    public var bridge = BridgeSection()
    /// Naive alternation: how many SFT steps, then how many RL steps, per cycle.
    public var alternating = AlternatingSection()
    /// CHORD: the μ schedule and the token weight φ of its SFT term.
    public var chord = ChordSection()
    /// LUFFY: off-policy expert traces per group and the policy-shaping γ.
    public var luffy = LuffySection()
    /// Periodic evaluation, identical for every method.
    public var eval = EvalSection()
    /// The pretrained base model (run.base: pretrained), cached under its config hash. `pretrain.model`
    /// and `pretrain.corpus` are derived from model.preset and data.dataset (set them there).
    public var pretrain = PretrainConfig()

    public init() {}

    enum CodingKeys: String, CodingKey {
        case run, model, data, optimTheta = "optim_theta", optimW = "optim_w", sft, rl, bridge, alternating, chord, luffy, eval, pretrain
    }

    /// Loads defaults, then `yamlText` (if any), then `key.path=value` overrides; strict throughout,
    /// then checks cross-field constraints (`validate`).
    public static func load(yamlText: String?, source: String, overrides: [String] = []) throws -> TrainConfig {
        var c = try StrictConfig.load(TrainConfig.self, defaults: TrainConfig(), yamlText: yamlText,
                                      source: source, overrides: overrides)
        try c.deriveFields(source: source)
        try c.validate(source: source)
        return c
    }

    /// Parses a (possibly partial) config tree strictly over the defaults, then validates it.
    public static func from(_ tree: ConfigValue, source: String) throws -> TrainConfig {
        let merged = try StrictConfig.merge(tree, over: try ConfigValue.encode(TrainConfig()), source: source)
        var c = try merged.decode(TrainConfig.self, source: source)
        try c.deriveFields(source: source)
        try c.validate(source: source)
        return c
    }

    /// Sets the derived fields (pretrain.model from model.preset, pretrain.corpus from data.dataset, and
    /// under `run.seed_scope: all` data.dataset.seed and pretrain.seed from run.seed); an explicit,
    /// different value there is an error naming the key to set instead.
    public mutating func deriveFields(source: String) throws {
        if run.seedScope == .all {
            // The run seed itself (not a hash of it): at run.seed 1 a scope-all run shares the default
            // datasets and the cached default base model with scope-training runs. The streams stay
            // independent because each purpose derives its own key ("tasks", "pretrain/init", "sft_batch", ...).
            for (path, value, fallback) in [("data.dataset.seed", data.dataset.seed, DataConfig().seed),
                                            ("pretrain.seed", pretrain.seed, PretrainConfig().seed)]
            where value != fallback && value != run.seed {
                throw ConfigError.invalid(source: source, path: path, line: nil,
                                          message: "is derived from run.seed under run.seed_scope: all (found \(value), run.seed is \(run.seed))",
                                          fix: "remove \(path), or set run.seed_scope: training to fix it independently of run.seed")
            }
            data.dataset.seed = run.seed
            pretrain.seed = run.seed
        }
        let preset = model.preset.config
        if pretrain.model != preset && pretrain.model != GPTConfig() {
            throw ConfigError.invalid(source: source, path: "pretrain.model", line: nil, message: "is derived from model.preset",
                                      fix: "remove pretrain.model and choose model.preset")
        }
        pretrain.model = preset
        let corpus = PretrainCorpusConfig(data: data.dataset)
        if pretrain.corpus != corpus && pretrain.corpus != PretrainCorpusConfig() {
            throw ConfigError.invalid(source: source, path: "pretrain.corpus", line: nil, message: "is derived from data.dataset",
                                      fix: "remove pretrain.corpus and set data.dataset (seed, tasks, test_fraction, pretrain_problems, pretrain_fact_copies, pretrain_trace_fraction)")
        }
        pretrain.corpus = corpus
        try deriveBudget(source: source)
    }

    /// The fully resolved tree (config.json): every key, defaults filled.
    public func resolvedTree() throws -> ConfigValue { try ConfigValue.encode(self) }
}

/// `run:` what to execute and how often to log, evaluate and checkpoint.
public struct RunSection: Codable, Sendable, Equatable {
    /// Training method: base | sft | rl_zero | cold_start | alternating | mix | bridge | chord | luffy.
    /// Default bridge: the method under study.
    public var method = TrainMethod.bridge
    /// Root seed of the run's training streams (LoRA init, batch draws, rollouts); 1 by convention. Under
    /// `seed_scope: all` it is also the data seed and the base model's seed.
    public var seed = 1
    /// What run.seed varies: `training` (default for single runs) or `all` (default in shipped studies).
    public var seedScope = SeedScope.training
    /// Number of optimisation steps k (each step sees one SFT batch and/or one RL batch).
    /// 150 keeps a small-preset RL run to a few minutes on one core (release build). Derived from
    /// `budget` when budget.unit is data.
    public var steps = 150
    /// What the run's length is fixed by: steps (default) or a data budget shared by every method.
    public var budget = BudgetSection()
    /// Evaluate every N steps (and at step 0 and at the end); 0 = only at step 0 and at the end.
    /// 50: five points per curve at the default length.
    public var evalEvery = 50
    /// Write a checkpoint every N steps (and at the end); 0 = only at the end.
    public var checkpointEvery = 50
    /// Log per-step training metrics every N steps (evaluation metrics are always logged).
    public var logEvery = 1
    /// Base model: "pretrained" (the tasks helper's cached pretrained checkpoint, what the paper
    /// fine-tunes) or "random" (fresh GPT-2 init: fast tests, ablations).
    public var base = BaseModelKind.pretrained
    /// Folder of the pretrained base-model cache (relative to the working directory); shared by all runs.
    public var baseCacheDir = "results/cache/base"

    public init() {}
    enum CodingKeys: String, CodingKey {
        case method, seed, seedScope = "seed_scope", steps, budget, evalEvery = "eval_every", checkpointEvery = "checkpoint_every", logEvery = "log_every", base, baseCacheDir = "base_cache_dir"
    }
}

/// Which sources of randomness `run.seed` varies (`run.seed_scope`).
///
/// Intervals over seeds only cover the variance the seed varies. Under `training` the datasets and the
/// base model are fixed (data.dataset.seed, pretrain.seed), so seeds differ in LoRA init, batch order and
/// sampling only, and leave out the two largest sources of variance: which problems were drawn and which
/// base model came out of pretraining. `all` derives both from run.seed, at the cost of one base model
/// per seed (pretrained once, then cached under a key that includes the seed: about 6 minutes of one
/// core each for the small preset; docs/training.md).
public enum SeedScope: String, ConfigChoice {
    /// LoRA init, SFT batches, RL prompts, rollouts and reward noise; datasets and base model fixed.
    case training
    /// Everything: also data.dataset.seed (SFT, RL, held-out sets, probes, the pretraining corpus) and
    /// pretrain.seed (the base model's init and batches). Benchmarks stay fixed (benchmarks.seed), so every
    /// seed is scored on the same problems.
    case all
}

/// `model:` transformer preset and LoRA adapters.
public struct ModelSection: Codable, Sendable, Equatable {
    /// GPT preset: tiny | small | medium. Small is the default study scale (minutes per run on one core).
    public var preset = GPTPreset.small
    /// LoRA rank r of the adapters w; 8 is the common small-model choice (0 disables w and with it
    /// BRIDGE's upper level).
    public var loraRank = 8
    /// LoRA α; the adapter scale is α / r = 2 (PEFT's customary α = 2r).
    public var loraAlpha = 16.0
    /// Adapted matrices: every linear layer of every block (an enum: a typo fails at load with the nearest name).
    public var loraTargets: [LoRATarget] = LoRATarget.allCases

    public init() {}
    enum CodingKeys: String, CodingKey { case preset, loraRank = "lora_rank", loraAlpha = "lora_alpha", loraTargets = "lora_targets" }
}

/// `data:` datasets, reward and noise (the same for every method of a comparison).
public struct DataSection: Codable, Sendable, Equatable {
    /// The tasks module's data config (families, difficulty, set sizes, trace_noise, and its own seed).
    /// Its seed is independent of run.seed on purpose: runs with different seeds share the datasets
    /// and the cached pretrained base model, and differ only in training randomness.
    /// Training default: 20000 SFT examples (the tasks module's default is 2000): 150 updates × 64
    /// examples would pass over 2000 almost five times, and SFT then fit them rather than the skill
    /// (held-out trace accuracy 0.315 with 2000, 0.355 with 20000; at θ rate 1e-4: 0.355 vs 0.390).
    /// The set size does not enter the base model's corpus, so the cached base is unchanged.
    public var dataset = DataSection.defaultDataset

    /// The tasks module's data config with the training default SFT-set size.
    public static var defaultDataset: DataConfig {
        var d = DataConfig()
        d.sftSize = 20000
        return d
    }
    /// Reward scale [choice]: "binary" gives R ∈ {0, 1} (default, method.md); "pm1" gives {−1, +1} (paper).
    public var rewardScale = RewardScale.binary
    /// Reward noise: each reward is flipped with probability p (v3's robustness study uses 0.2); 0 = exact.
    public var rewardNoise = 0.0

    public init() {}
    enum CodingKeys: String, CodingKey { case dataset, rewardScale = "reward_scale", rewardNoise = "reward_noise" }

    /// The tasks module's reward settings.
    public var reward: RewardConfig { RewardConfig(rewardScale: rewardScale, flipProbability: rewardNoise) }
}

/// `optim_theta:` / `optim_w:` AdamW settings and gradient clipping for one parameter group.
public struct OptimSection: Codable, Sendable, Equatable {
    /// Learning rate (α for θ, β for w in the paper). 3e-5 for θ, shared by every method: GRPO at
    /// 3e-4 collapses the small model's reward within 25 updates (0.41 → 0.15, also with β_KL = 0.05);
    /// at 1e-4 it lowers held-out trace accuracy (200 problems: 0.280 → 0.225-0.275), at 3e-5 it raises
    /// it (→ 0.325-0.385). SFT alone would prefer 1e-4 (0.390 vs 0.340-0.355 at 3e-5), but RL cannot
    /// take it; docs/training.md, tuning log.
    public var learningRate = 3e-5
    /// AdamW β₁ (PyTorch default).
    public var beta1 = 0.9
    /// AdamW β₂ (nanoGPT's 0.95 for small models).
    public var beta2 = 0.95
    /// AdamW ε (PyTorch default).
    public var epsilon = 1e-8
    /// Decoupled weight decay; 0 so that fine-tuning does not pull weights toward zero.
    public var weightDecay = 0.0
    /// Global gradient-norm clip for this group (≤ 0 disables); 1.0 as in verl and TRL.
    public var gradClip = 1.0
    /// Linear learning-rate warm-up over this many steps; 0 = constant rate from the first step.
    public var warmupSteps = 0

    public init(learningRate: Double = 3e-5) { self.learningRate = learningRate }
    enum CodingKeys: String, CodingKey {
        case learningRate = "lr", beta1, beta2, epsilon = "eps", weightDecay = "weight_decay", gradClip = "grad_clip", warmupSteps = "warmup_steps"
    }

    /// The TensorCore AdamW configuration of this group.
    public var adamW: AdamWConfig {
        AdamWConfig(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    /// The learning rate at (0-based) update number k, after warm-up.
    public func learningRate(atUpdate k: Int) -> Double {
        warmupSteps > 0 && k < warmupSteps ? learningRate * Double(k + 1) / Double(warmupSteps) : learningRate
    }
}

/// `run.base`: where the run's starting weights come from.
public enum BaseModelKind: String, ConfigChoice {
    /// The cached pretrained checkpoint (what the paper fine-tunes).
    case pretrained
    /// A fresh GPT-2 init: fast tests and ablations.
    case random
}
