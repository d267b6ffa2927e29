/// `sft`: SFT only, on all parameters θ and w (or on w alone with sft.lora_only).
public final class SFTMethod: TrainingMethod {
    public let name = "sft"
    public init() {}
    public func step(_ k: Int, _ ctx: TrainContext) throws -> [(String, Double)] {
        try ctx.sftStep(k, theta: !ctx.config.sft.loraOnly, w: ctx.trainsW)
    }
}
