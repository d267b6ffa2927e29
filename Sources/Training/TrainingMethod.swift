import BridgeSupport
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

/// `run.method`: the seven methods of method.md's table, and the single-stage SFT+RL methods BRIDGE is
/// compared against: CHORD (arXiv 2508.11408) and LUFFY (arXiv 2504.14945).
public enum TrainMethod: String, ConfigChoice {
    case base, sft, rlZero = "rl_zero", coldStart = "cold_start", alternating, mix, bridge, chord, luffy

    /// Whether the method samples rollouts (and so needs GRPO's settings to make sense).
    public var usesRL: Bool { self != .base && self != .sft }
    /// Whether every update draws both an SFT batch and rollouts (one fused gradient, one optimiser step).
    /// LUFFY draws expert traces too, but inside its rollout groups, not as an SFT batch (DataPlan).
    public var fusesSFTAndRL: Bool { self == .mix || self == .bridge || self == .chord }
}

/// The registry of methods.
public enum TrainingMethods {
    public static func make(_ method: TrainMethod) -> TrainingMethod {
        switch method {
        case .base: return BaseMethod()
        case .sft: return SFTMethod()
        case .rlZero: return RLZeroMethod()
        case .coldStart: return ColdStartMethod()
        case .alternating: return AlternatingMethod()
        case .mix: return MixMethod()
        case .bridge: return BridgeMethod()
        case .chord: return ChordMethod()
        case .luffy: return LuffyMethod()
        }
    }
}
