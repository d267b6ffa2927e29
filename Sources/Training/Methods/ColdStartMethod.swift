/// `cold_start`: S = sft.cold_start_steps SFT updates (−1: half the run), then GRPO for the remaining run.steps − S;
/// π_ref is frozen at the start of RL (the SFT model), as in the two-stage recipe.
public final class ColdStartMethod: TrainingMethod {
    public let name = "cold_start"
    public init() {}
    public func step(_ k: Int, _ ctx: TrainContext) throws -> [(String, Double)] {
        let S = ctx.config.sft.coldStartSteps(runSteps: ctx.config.run.steps)
        if k < S { return try ctx.sftStep(k, theta: true, w: ctx.trainsW) }
        if k == S || ctx.reference == nil { ctx.freezeReference() }
        return try ctx.rlStep(k, theta: true, w: ctx.trainsW)
    }
}
