/// `base`: the pretrained base model, no further training (evaluation only; steps are no-ops).
public final class BaseMethod: TrainingMethod {
    public let name = "base"
    public init() {}
    public func step(_ k: Int, _ ctx: TrainContext) throws -> [(String, Double)] { [] }
}
