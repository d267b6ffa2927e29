import Foundation
import Tasks

/// `luffy`: LUFFY (arXiv 2504.14945), mixed-policy GRPO on all parameters θ and w. Each group of
/// rl.group_size G holds G − n responses sampled from the current policy and n = luffy.off_policy_traces
/// copies of the prompt's expert trace (off-policy); rewards and group-normalised advantages are computed
/// over all G rows. On-policy tokens take GRPO's clipped ratio term; off-policy tokens take the shaped term
/// −A·f(π), f(π) = π/(π + γ), with no ratio to the (unknown) expert policy and no clip (GRPOLoss). The KL
/// and entropy terms are GRPO's on every token. One optimiser step per update; n = 0 is rl_zero (tested).
///
/// Expert traces: the RL set stores none, so the same problems are generated again with their clean traces
/// (`TaskDatasets.rlWithTraces`, built on the first update of a process: a resumed run rebuilds it).
public final class LuffyMethod: TrainingMethod {
    public let name = "luffy"
    /// Expert completion (trace "#" answer «EOS») of RL prompt i; filled on first use.
    private var expert: [[Int32]] = []
    public init() {}
    public func start(_ ctx: TrainContext) throws { ctx.freezeReference() }

    /// The expert completions of the RL set, checked to be the RL prompts' own problems.
    static func expertCompletions(_ ctx: TrainContext) throws -> [[Int32]] {
        let examples = try TaskDatasets.rlWithTraces(ctx.config.data.dataset)
        guard examples.map(\.direct) == ctx.data.sets.rl else {
            throw TrainError.data("luffy: the regenerated RL problems differ from the RL set")
        }
        return try examples.enumerated().map { try ctx.data.tokenizer.encode($0.element, context: "rl expert[\($0.offset)]").completion }
    }

    public func step(_ k: Int, _ ctx: TrainContext) throws -> [(String, Double)] {
        let n = ctx.config.luffy.offPolicyTraces
        if n > 0, expert.isEmpty { expert = try Self.expertCompletions(ctx) }
        var ro = ctx.sampleRollouts(step: k, offPolicyPerGroup: n, expert: n > 0 ? { [expert] in expert[$0] } : nil)
        let lr = ctx.config.optimTheta.learningRate(atUpdate: ctx.optTheta.t)
        let res = ctx.rlGradient(&ro, theta: true, w: ctx.trainsW)
        try ctx.guardFinite(res.loss, "rl/loss", update: k)
        let nt = try ctx.stepTheta(update: k), nw = ctx.trainsW ? try ctx.stepW(update: k) : 0
        var m = ctx.rlMetrics(Self.onPolicyRows(ro), loss: res.loss, stats: res.stats)
        if let i = m.firstIndex(where: { $0.0 == Metric.fracZeroStd }) { m[i].1 = ro.advantages.fractionZeroStd } // over the mixed groups
        m += [(Metric.stageRL, 1), (Metric.lr, lr), (Metric.gradNorm, nt), (Metric.gradNormWOptim, nw)]
        if n > 0 {
            let off = ro.offPolicy.indices.filter { ro.offPolicy[$0] }
            let reward = off.reduce(0.0) { $0 + ro.rewards[$1] } / Double(off.count)
            let advantage = off.reduce(0.0) { $0 + Double(ro.advantages.advantages[$1]) } / Double(off.count)
            m += [(Metric.luffyOffPolicyProb, res.stats.offPolicyProb), (Metric.luffyOffPolicyReward, reward),
                  (Metric.luffyOffPolicyAdvantage, advantage)]
        }
        return m
    }

    /// The sampled rows alone (rl/reward_mean, reward_std and response_length describe the policy's own
    /// responses, comparable with the other methods); the batch itself unless it holds expert rows.
    static func onPolicyRows(_ ro: Rollouts) -> Rollouts {
        guard ro.offPolicy.contains(true) else { return ro }
        let keep = ro.offPolicy.indices.filter { !ro.offPolicy[$0] }
        var out = ro
        let T = ro.batch.T
        out.batch.B = keep.count
        out.batch.tokens = keep.flatMap { ro.batch.tokens[($0 * T)..<(($0 + 1) * T)] }
        out.batch.targets = keep.flatMap { ro.batch.targets[($0 * T)..<(($0 + 1) * T)] }
        out.batch.mask = keep.flatMap { ro.batch.mask[($0 * T)..<(($0 + 1) * T)] }
        out.rewards = keep.map { ro.rewards[$0] }
        out.offPolicy = []
        return out
    }
}
