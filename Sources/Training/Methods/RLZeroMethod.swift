/// `rl_zero`: GRPO from the base model on all parameters θ and w; π_ref = the base model.
public final class RLZeroMethod: TrainingMethod {
    public let name = "rl_zero"
    public init() {}
    public func start(_ ctx: TrainContext) throws { ctx.freezeReference() }
    public func step(_ k: Int, _ ctx: TrainContext) throws -> [(String, Double)] {
        try ctx.rlStep(k, theta: true, w: ctx.trainsW)
    }
}
