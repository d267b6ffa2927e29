import Foundation

/// One training method: a step function over the shared `TrainContext`. A new method is one file.
public protocol TrainingMethod: AnyObject {
    /// The `run.method` name.
    var name: String { get }
    /// Called once before update 0 of a fresh run (not on resume: its effects are in the checkpoint).
    func start(_ ctx: TrainContext) throws
    /// Update k (0-based). Returns the step's metrics in a fixed order (metric name, value).
    func step(_ k: Int, _ ctx: TrainContext) throws -> [(String, Double)]
}

extension TrainingMethod {
    public func start(_ ctx: TrainContext) throws {}
}

/// The registry of methods by name.
public enum TrainingMethods {
    public static func make(_ name: String) throws -> TrainingMethod {
        switch name {
        case "base": return BaseMethod()
        case "sft": return SFTMethod()
        case "rl_zero": return RLZeroMethod()
        case "cold_start": return ColdStartMethod()
        case "alternating": return AlternatingMethod()
        case "mix": return MixMethod()
        case "bridge": return BridgeMethod()
        default: throw TrainError.data("unknown method '\(name)'; use one of \(TrainConfig.methods.joined(separator: ", "))")
        }
    }
}
