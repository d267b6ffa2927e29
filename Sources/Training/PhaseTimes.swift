import Foundation

/// Wall seconds spent in each kind of work of a training update, so a step-time ratio between methods
/// can be explained (which passes a method adds) and not only stated. Not checkpointed: timing only.
public struct PhaseTimes: Sendable, Equatable {
    /// Autoregressive generation of rollouts (KV cache), including the verifier.
    public var sampling = 0.0
    /// Forward of the frozen reference π_ref on the rollouts (KL term).
    public var reference = 0.0
    /// GRPO forward (+ backward when a gradient is asked for) passes.
    public var rlPasses = 0.0
    /// SFT forward (+ backward) passes.
    public var sftPasses = 0.0
    /// AdamW / SGD steps, gradient fusion and copies of θ.
    public var optimizer = 0.0
    /// BRIDGE's teacher: the w-only forward/backward passes it adds to the student's (at θ_{k+1} and θ̂),
    /// so that `bench methods` can state the method's lower bound, mix's step plus these passes.
    public var teacher = 0.0

    public init() {}

    /// Every phase with its CSV column name, in a fixed order: the one list the other members use.
    static var fields: [(name: String, key: WritableKeyPath<PhaseTimes, Double>)] { [
        ("sampling_s", \.sampling), ("reference_s", \.reference), ("rl_passes_s", \.rlPasses),
        ("sft_passes_s", \.sftPasses), ("optimizer_s", \.optimizer), ("teacher_s", \.teacher),
    ] }

    /// Names and values in a fixed order (CSV columns).
    public var named: [(String, Double)] { Self.fields.map { ($0.name, self[keyPath: $0.key]) } }

    public static func + (a: PhaseTimes, b: PhaseTimes) -> PhaseTimes {
        var r = a
        for f in fields { r[keyPath: f.key] += b[keyPath: f.key] }
        return r
    }

    public func scaled(by s: Double) -> PhaseTimes {
        var r = self
        for f in Self.fields { r[keyPath: f.key] *= s }
        return r
    }

    /// Runs `body` and adds its wall time to the phase at `key`.
    @discardableResult
    public mutating func time<R>(_ key: WritableKeyPath<PhaseTimes, Double>, _ body: () throws -> R) rethrows -> R {
        let clock = ContinuousClock(), t0 = clock.now
        defer { self[keyPath: key] += (clock.now - t0).seconds }
        return try body()
    }
}
