/// `alternating`: naive alternation, alternating.sft_steps SFT updates then alternating.rl_steps GRPO
/// updates per cycle (paper: 1 and 1), all parameters; π_ref = the base model. Under a data budget the
/// cycles run until one kind's budget is spent, then the other kind's remaining updates follow.
public final class AlternatingMethod: TrainingMethod {
    public let name = "alternating"
    public init() {}
    public func start(_ ctx: TrainContext) throws { ctx.freezeReference() }
    public func step(_ k: Int, _ ctx: TrainContext) throws -> [(String, Double)] {
        let isSFT = ctx.config.alternating.isSFTStep(k, plan: ctx.config.dataPlan)
        return isSFT ? try ctx.sftStep(k, theta: true, w: ctx.trainsW) : try ctx.rlStep(k, theta: true, w: ctx.trainsW)
    }
}
