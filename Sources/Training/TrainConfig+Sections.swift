import BridgeSupport
import Foundation
import Tasks

/// `sft:` supervised fine-tuning settings shared by sft, cold_start, alternating, mix and bridge.
public struct SFTSection: Codable, Sendable, Equatable {
    /// SFT examples (prompt + expert trace + answer) per step. 64 (about the tokens of one RL batch of
    /// 16 × 8 rollouts): with 20000 SFT examples, 150 updates at b = 64 raise held-out trace accuracy
    /// 0.280 → 0.355 (b = 16: 0.320; b = 128: 0.355 at twice the cost); an SFT pass stays cheap next to
    /// sampling, so BRIDGE stays under 5 minutes (docs/training.md, tuning log).
    public var batchSize = 64
    /// cold_start only: number S of SFT steps before RL (the remaining run.steps − S are RL);
    /// −1 = half the run (run.steps / 2, rounded down), so changing run.steps keeps the two stages equal.
    public var coldStartSteps = -1
    /// mix only: weight μ of L_SFT in L_RL + μ·L_SFT (paper v3 "SFT+RL"); 1 = equal weight.
    public var mixMu = 1.0
    /// sft only: train only the LoRA adapters w (option) instead of all parameters θ and w (default, method.md).
    public var loraOnly = false

    public init() {}

    /// S for a run of `steps` updates (resolves −1 to half the run).
    public func coldStartSteps(runSteps steps: Int) -> Int { coldStartSteps < 0 ? steps / 2 : coldStartSteps }

    enum CodingKeys: String, CodingKey { case batchSize = "batch_size", coldStartSteps = "cold_start_steps", mixMu = "mix_mu", loraOnly = "lora_only" }
}

/// `rl:` GRPO settings (method.md's defaults).
public struct RLSection: Codable, Sendable, Equatable {
    /// Prompts per RL step; each gets G responses. 16 prompts × G = 8 gives 128 rollouts per step
    /// (with 4-8 prompts the per-step reward is dominated by which prompts were drawn).
    public var promptsPerStep = 16
    /// Group size G (responses per prompt) [choice]: 8.
    public var groupSize = 8
    /// Lower clip ε (ratio clipped below at 1 − ε) [choice]: 0.2 (PPO/GRPO default).
    public var clipLow = 0.2
    /// Upper clip ε_high (ratio clipped above at 1 + ε_high; DAPO's clip-higher uses 0.28). Default = ε.
    public var clipHigh = 0.2
    /// KL coefficient β of the k3 penalty to π_ref [choice]: 0.001.
    public var klBeta = 0.001
    /// Sampling temperature of rollouts (and of the RL log-probs) [choice]: 0.7. Evaluation is greedy;
    /// at 1.0 RL-zero (small preset, 150 updates) raised the reward but barely the greedy accuracy
    /// (200 held-out trace problems 0.280 → 0.335), at 0.7 held-out → 0.385 / 0.325 and b1_indist
    /// 0.310 → 0.345 / 0.350 (seeds 1 / 2); 0.5 did no better (docs/training.md, tuning log).
    public var temperature = 0.7
    /// Maximum generated tokens per response; 48 covers the tasks' traces and answers at the small scale.
    public var maxNewTokens = 48
    /// Policy-update epochs over each rollout batch [choice]: 1 (ρ = 1 at the first minibatch).
    public var ppoEpochs = 1
    /// Minibatches per epoch (each one optimiser step); 1 = one update per batch.
    public var minibatches = 1
    /// Loss aggregation [choice]: "token_mean" over the batch (default) or "sequence_mean".
    public var aggregation = GRPOLoss.Aggregation.tokenMean
    /// Divide advantages by the group's std (GRPO); false = Dr. GRPO-style mean-centering only.
    public var stdNormalize = true
    /// Entropy bonus coefficient (loss −= c·H); 0 as in method.md.
    public var entropyCoef = 0.0

    public init() {}
    enum CodingKeys: String, CodingKey {
        case promptsPerStep = "prompts_per_step", groupSize = "group_size", clipLow = "clip_low", clipHigh = "clip_high",
             klBeta = "kl_beta", temperature, maxNewTokens = "max_new_tokens", ppoEpochs = "ppo_epochs",
             minibatches, aggregation, stdNormalize = "std_normalize", entropyCoef = "entropy_coef"
    }
}

/// `bridge.lambda:` the penalty weight schedule λ_k.
public struct LambdaSection: Codable, Sendable, Equatable {
    /// constant | linear | cosine | exponential | step. Default constant (paper v2 appendix).
    public var schedule = LambdaScheduleKind.constant
    /// λ_0: the constant value, or the start of linear/cosine/exponential. 0.5 (paper v2 appendix).
    public var lambda0 = 0.5
    /// λ_max: the end of linear/cosine (paper v1 text: "from 0 to 1").
    public var lambdaMax = 1.0
    /// Steps N over which linear/cosine go from λ_0 to λ_max; 0 = run.steps.
    public var steps = 0
    /// γ of exponential: λ_k = 1 − (1 − λ_0)·γ^k. 0.95 reaches λ ≈ 0.98 after 60 steps from 0.5.
    public var gamma = 0.95
    /// step: steps at which λ changes (ascending).
    public var milestones: [Int] = []
    /// step: λ after each milestone (same length as milestones); before the first, λ_0.
    public var values: [Double] = []

    public init() {}
    enum CodingKeys: String, CodingKey { case schedule, lambda0 = "lambda0", lambdaMax = "lambda_max", steps, gamma, milestones, values }
}

/// `bridge.proxy`: how θ̂, the proxy of the lower-level solution θ*(w_k), is built (method.md step 4).
public enum BridgeProxy: String, ConfigChoice {
    /// One RL-only step from θ_k (paper v1/v2): the student's step without this update's SFT contribution.
    case oneStep = "one_step"
    /// The one-step point, then K − 1 more RL-only steps (`proxy_k`, `fresh_rollouts`).
    case kStep = "k_step"
    /// A persistent θ̂ that only ever takes RL steps (paper v3), checkpointed with the run.
    case shadow
}

/// `bridge.proxy_optimizer`: the step rule of the proxy's RL-only steps.
public enum BridgeProxyOptimizer: String, ConfigChoice {
    /// AdamW's preconditioner of the student's step, frozen, without momentum: θ̂ differs from the student
    /// by the full preconditioned step of this update's SFT gradient (docs/training.md, "θ̂").
    case frozen
    /// Plain steps of size `bridge.proxy_lr` (the paper's θ̂ = θ + α∇J_RL).
    case sgd
    /// The first design: AdamW from a copy of θ's state. Momentum lets only (1 − β₁) of the SFT gradient
    /// through, so θ_{k+1} − θ̂ is ~10% of a step and the meta term is numerically inert; kept as an ablation.
    case copy
}

/// `bridge.teacher_point`: where the teacher's w-gradients are taken.
public enum BridgeTeacherPoint: String, ConfigChoice {
    /// At the student's new point θ_{k+1} (method.md step 5 as written): one SFT and two RL w-only passes.
    /// When θ's step overshoots on its batch (θ's gradient flips sign across the step), ∇_w at θ_{k+1}
    /// answers the overshoot rather than the descent direction, and w undoes θ's progress
    /// (docs/training.md, "Why the teacher at θ_{k+1} collapses").
    case next
    /// At θ_k, reusing the student's forward/backward passes (which then also compute ∇_w), with θ̂ placed
    /// at the same offset from θ_k as from θ_{k+1}: one RL w-only pass at θ̂.
    case current
}

/// `bridge:` the bilevel method's own settings.
public struct BridgeSection: Codable, Sendable, Equatable {
    /// The λ schedule (penalty weight; γ = λ/(1−λ)).
    public var lambda = LambdaSection()
    /// Proxy θ̂ of θ*(w) [choice]: one_step (paper v1/v2, default) | k_step | shadow (paper v3).
    public var proxy = BridgeProxy.oneStep
    /// k_step: number K of RL-only steps for θ̂ (the first is the one-step point).
    public var proxyK = 2
    /// k_step: inner steps after the first use fresh rollouts from π(θ̂, w_k) (true) or reuse step-1 rollouts.
    public var freshRollouts = false
    /// Proxy step rule [choice]: frozen (default: the student's AdamW preconditioner, frozen, no momentum,
    /// so that θ̂ is a full SFT step away from the student) | sgd (plain steps of size proxy_lr) | copy
    /// (the first design, inert meta term; ablation).
    public var proxyOptimizer = BridgeProxyOptimizer.frozen
    /// Step size α̂ of the sgd proxy optimizer.
    public var proxyLr = 0.01
    /// Include the Danskin meta term λ[∇_w L_RL(θ_{k+1}) − ∇_w L_RL(θ̂)] in g_w; false = ablation
    /// "w trained by SFT only".
    public var metaTerm = true
    /// Where the teacher's w-gradients are taken [choice]: current (θ_k, reusing the student's passes;
    /// default, chosen on the validation split) | next (θ_{k+1}, method.md step 5 as written).
    public var teacherPoint = BridgeTeacherPoint.current

    public init() {}
    enum CodingKeys: String, CodingKey {
        case lambda, proxy, proxyK = "proxy_k", freshRollouts = "fresh_rollouts", proxyOptimizer = "proxy_optimizer",
             proxyLr = "proxy_lr", metaTerm = "meta_term", teacherPoint = "teacher_point"
    }
}

/// `alternating:` naive alternation of SFT and RL steps.
public struct AlternatingSection: Codable, Sendable, Equatable {
    /// SFT steps per cycle (paper: one SFT step, then one RL step).
    public var sftSteps = 1
    /// RL steps per cycle.
    public var rlSteps = 1

    public init() {}
    enum CodingKeys: String, CodingKey { case sftSteps = "sft_steps", rlSteps = "rl_steps" }
}

/// `chord.variant`: the token weight of CHORD's SFT term (arXiv 2508.11408).
public enum ChordVariant: String, ConfigChoice {
    /// CHORD-φ (the paper's best): expert tokens weighted by φ(p) = p(1 − p) (no gradient through φ),
    /// μ constant at 0.1 by default (Trinity-RFT's CHORD-φ settings).
    case phi
    /// CHORD-μ: plain SFT NLL, μ decays from 0.9 to 0.05 over the run by default.
    case mu

    /// μ_peak and μ_valley of the variant when chord.mu_peak / mu_valley are −1 (Trinity-RFT's mix_chord example).
    public var defaultPeak: Double { self == .phi ? 0.1 : 0.9 }
    public var defaultValley: Double { self == .phi ? 0.1 : 0.05 }
}

/// `chord:` CHORD's loss L = (1 − μ_k)·L_GRPO + μ_k·L_SFT(φ) (ChordMethod, docs/training.md).
public struct ChordSection: Codable, Sendable, Equatable {
    /// phi (CHORD-φ, default: the paper's best variant) | mu (CHORD-μ).
    public var variant = ChordVariant.phi
    /// μ_peak, reached at the end of the warm-up; −1 = the variant's default (phi 0.1, mu 0.9).
    public var muPeak = -1.0
    /// μ_valley, reached at the end of the decay and kept after; −1 = the variant's default (phi 0.1, mu 0.05).
    public var muValley = -1.0
    /// Warm-up updates: μ rises linearly from 0 to μ_peak (0, as both variants in Trinity-RFT's example).
    public var muWarmupSteps = 0
    /// Updates of the cosine decay from μ_peak to μ_valley; −1 = the rest of the run after the warm-up
    /// [choice: Trinity's 200 updates belong to its run length; ours is set by the data budget].
    public var muDecaySteps = -1

    public init() {}
    enum CodingKeys: String, CodingKey {
        case variant, muPeak = "mu_peak", muValley = "mu_valley", muWarmupSteps = "mu_warmup_steps", muDecaySteps = "mu_decay_steps"
    }
}

/// `luffy:` LUFFY's mixed-policy GRPO (LuffyMethod, docs/training.md).
public struct LuffySection: Codable, Sendable, Equatable {
    /// Off-policy expert traces n per group of rl.group_size: each group holds G − n sampled responses and
    /// n copies of the prompt's expert trace (LUFFY: 1 of 8). 0 is rl_zero. Must be < G.
    public var offPolicyTraces = 1
    /// γ of the policy shaping f(π) = π/(π + γ) on off-policy tokens (paper: 0.1).
    public var gamma = 0.1

    public init() {}
    enum CodingKeys: String, CodingKey { case offPolicyTraces = "off_policy_traces", gamma }
}

/// `eval:` periodic evaluation, identical for every method (cadence: run.eval_every).
public struct EvalSection: Codable, Sendable, Equatable {
    /// The benchmark suite and decoding settings (tasks module's Evaluator: greedy pass@1).
    /// 200 problems per benchmark (one problem = 0.5 points, ±3.5 points at 50%): with 64, one problem
    /// was 1.6 points and the methods' differences were within noise; one evaluation of the five
    /// benchmarks and both probes at 200 still takes about a second on the small preset.
    /// 96 new tokens cover the longest benchmark trace.
    public var suite = EvalSection.defaultSuite
    /// Held-out SFT examples used for eval/sft_heldout_nll (first N of the held-out set); 200, as the
    /// benchmarks (one forward pass).
    public var heldoutSize = 200
    /// Forgetting probes: accuracy on pretraining-format problems (direct answers, the base model's
    /// skill) and on held-out SFT trace problems (the skill SFT teaches).
    public var forgettingProbes = true
    /// Problems per forgetting probe; 200, as the benchmarks (at 64 one problem was 1.6 points).
    public var probeSize = 200
    /// Validation problems (eval/validation/*): held-out trace problems after the probe's share of the
    /// held-out set, so disjoint from every probe, benchmark and training set. Defaults are tuned on
    /// these, never on the benchmarks or probes (the test set); 200, as the probes; 0 turns it off.
    public var validationSize = 200

    public init() {}
    enum CodingKeys: String, CodingKey {
        case suite, heldoutSize = "heldout_size", forgettingProbes = "forgetting_probes", probeSize = "probe_size"
        case validationSize = "validation_size"
    }

    public static var defaultSuite: EvaluationConfig {
        var c = EvaluationConfig()
        c.benchmarks.size = 200
        c.maxNewTokens = 96
        return c
    }
}
