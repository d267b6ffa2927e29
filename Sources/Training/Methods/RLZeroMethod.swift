/// `rl_zero`: GRPO from the base model on all parameters θ and w; π_ref = the base model. With
/// `optim_w.lr: 0` (w frozen) it is BRIDGE's λ = 1 limit, where the value-gap penalty leaves w unmoved.
public final class RLZeroMethod: TrainingMethod {
    public let name = "rl_zero"
    public init() {}
    public func start(_ ctx: TrainContext) throws { ctx.freezeReference() }
    public func step(_ k: Int, _ ctx: TrainContext) throws -> [(String, Double)] {
        try ctx.rlStep(k, theta: true, w: ctx.trainsW)
    }
}
