import BridgeSupport

/// Every metric name of the training stream, defined once (formulas in docs/metrics.md).
///
/// Namespaces: rl/ (GRPO batch statistics), sft/, bridge/, optim/, eval/, data/ go to metrics.csv (byte-identical
/// across reruns); timings (wall time, throughput, memory: `RunTimings`) go only to result.json's timings.
public enum Metric {
    // rl/: GRPO batch statistics (per RL step)
    public static let rewardMean = "rl/reward_mean"
    public static let rewardStd = "rl/reward_std"
    public static let fracZeroStd = "rl/frac_zero_std"
    public static let kl = "rl/kl"
    public static let entropy = "rl/entropy"
    public static let clipFrac = "rl/clip_frac"
    public static let clipFracLow = "rl/clip_frac_low"
    public static let clipFracHigh = "rl/clip_frac_high"
    public static let responseLength = "rl/response_length"
    public static let rlLoss = "rl/loss"
    // sft/
    public static let sftLoss = "sft/loss"
    // bridge/
    public static let lambda = "bridge/lambda"
    public static let coopGain = "bridge/coop_gain"
    public static let gradNormTheta = "bridge/grad_norm_theta"
    public static let gradNormW = "bridge/grad_norm_w"
    public static let cosSftRl = "bridge/cos_sft_rl"
    /// ‖θ_t − θ̂‖: how far the proxy is from the teacher's point (θ_{k+1}, or θ_k with teacher_point current).
    public static let proxyGap = "bridge/proxy_gap"
    /// ‖meta part of g_w‖ / ‖SFT part of g_w‖: how much the bilevel bracket weighs in the teacher's gradient.
    public static let metaToSFT = "bridge/meta_to_sft"
    /// Clip fraction of the shadow proxy's step (proxy: shadow): its staleness, as it trains off-policy.
    public static let shadowClipFrac = "bridge/shadow_clip_frac"
    // chord/ (ChordMethod)
    /// μ_k, the weight of the SFT term in (1 − μ_k)·L_GRPO + μ_k·L_SFT.
    public static let chordMu = "chord/mu"
    /// The SFT term as optimised: token mean of φ(p)·(−log p) (CHORD-φ), or the plain NLL (CHORD-μ).
    public static let chordSFTTerm = "chord/sft_term"
    /// Mean φ(p) = p(1 − p) over the SFT batch's expert tokens (logged for both variants).
    public static let chordPhiMean = "chord/phi_mean"
    // luffy/ (LuffyMethod)
    /// Mean π_new over the off-policy (expert) tokens of the batch.
    public static let luffyOffPolicyProb = "luffy/off_policy_prob"
    /// Mean reward of the off-policy rows (the expert traces, under the same verifier and reward noise).
    public static let luffyOffPolicyReward = "luffy/off_policy_reward"
    /// Mean advantage of the off-policy rows (how strongly the group pulls towards the expert).
    public static let luffyOffPolicyAdvantage = "luffy/off_policy_advantage"
    // optim/
    public static let lr = "optim/lr"
    public static let lrW = "optim/lr_w"
    public static let gradNorm = "optim/grad_norm"
    public static let gradNormWOptim = "optim/grad_norm_w"
    /// 1 for an RL step, 0 for an SFT step (cold_start, alternating), so stage boundaries are visible.
    public static let stageRL = "train/is_rl_step"
    // eval/
    // (per-set names come from the tasks helper's EvalMetricNames: eval/<set>/accuracy,
    // eval/<set>/format_error_rate, eval/<set>/completion_length, eval/mean_accuracy, eval/mean_format_error_rate)
    public static func evalAccuracy(_ benchmark: String) -> String { EvalMetricNames.accuracy(benchmark) }
    public static let evalMeanAccuracy = EvalMetricNames.meanAccuracy
    public static let evalSFTHeldoutNLL = "eval/sft_heldout_nll"
    /// Validation set name: eval/validation/accuracy, eval/validation/format_error_rate (the split defaults are tuned on).
    public static let validation = "validation"
    /// Per-token NLL of the validation problems' traces and answers.
    public static let evalValidationNLL = "eval/validation/nll"
    /// Probe set names: eval/probe_pretrain/accuracy, eval/probe_pretrain_seen/accuracy,
    /// eval/probe_sft_only/accuracy (and their format error rates).
    /// Unseen direct-answer problems (held-out region): retention of the base model's skill.
    public static let probePretrain = "probe_pretrain"
    /// The first pretraining-corpus problems: retention of what pretraining memorised.
    public static let probePretrainSeen = "probe_pretrain_seen"
    public static let probeSFTOnly = "probe_sft_only"
    // data/: what the run has drawn so far, logged with every evaluation (deterministic, so in metrics.csv:
    // curves can be read against data, and budgets checked per run)
    public static let rollouts = DataMetricNames.rollouts
    public static let sftExamples = DataMetricNames.sftExamples
    public static let flops = DataMetricNames.flops
    // Timings (result.json `timings` only, never metrics.csv): the shared vocabulary of RunTimings.
    public static let tokensPerSecond = RunTimings.tokensPerSecond
    public static let tokens = RunTimings.tokens
    public static let wallSeconds = RunTimings.wallSeconds
    public static let stepSeconds = RunTimings.stepSeconds
    public static let peakRSSMB = RunTimings.peakRSSMB
}
