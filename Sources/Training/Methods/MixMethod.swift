/// `mix`: one loss L_RL + μ·L_SFT on all parameters (paper v3's "SFT+RL"), μ = sft.mix_mu.
public final class MixMethod: TrainingMethod {
    public let name = "mix"
    public init() {}
    public func start(_ ctx: TrainContext) throws { ctx.freezeReference() }
    public func step(_ k: Int, _ ctx: TrainContext) throws -> [(String, Double)] {
        var ro = ctx.sampleRollouts(step: k)
        let rl = ctx.rlGradient(&ro, theta: true, w: ctx.trainsW)
        try ctx.guardFinite(rl.loss, "rl/loss", update: k)
        let sftLoss = ctx.sftGradient(ctx.sftBatch(step: k), scale: Float(ctx.config.sft.mixMu), theta: true, w: ctx.trainsW)
        try ctx.guardFinite(sftLoss, "sft/loss", update: k)
        let lr = ctx.config.optimTheta.learningRate(atUpdate: ctx.optTheta.t)
        let nt = try ctx.stepTheta(update: k), nw = ctx.trainsW ? try ctx.stepW(update: k) : 0
        return ctx.rlMetrics(ro, loss: rl.loss, stats: rl.stats)
            + [(Metric.sftLoss, sftLoss), (Metric.stageRL, 1), (Metric.lr, lr), (Metric.gradNorm, nt), (Metric.gradNormWOptim, nw)]
    }
}
