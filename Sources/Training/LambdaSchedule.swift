import BridgeSupport
import Foundation

/// `bridge.lambda.schedule`: the shape of λ_k (formulas at `LambdaSchedule.value(atStep:)`).
public enum LambdaScheduleKind: String, ConfigChoice {
    case constant, linear, cosine, exponential, step
}

/// The penalty weight schedule λ_k of BRIDGE (method.md): constant, linear, cosine, exponential, step.
public struct LambdaSchedule: Sendable, Equatable {
    public let config: LambdaSection
    /// N of linear/cosine after resolving 0 to the run length.
    public let horizon: Int

    public init(_ config: LambdaSection, runSteps: Int) {
        self.config = config
        horizon = config.steps > 0 ? config.steps : max(runSteps, 1)
    }

    /// λ at (0-based) step k.
    /// - constant: λ_0.  linear: λ_0 + (λ_max − λ_0)·min(k/N, 1).
    /// - cosine: λ_max − (λ_max − λ_0)·(1 + cos(π·min(k/N, 1)))/2 (starts at λ_0, ends at λ_max).
    /// - exponential: 1 − (1 − λ_0)·γ^k.  step: λ_0 before the first milestone, values[i] from milestones[i] on.
    public func value(atStep k: Int) -> Double {
        let c = config
        let frac = min(Double(k) / Double(horizon), 1)
        switch c.schedule {
        case .linear: return c.lambda0 + (c.lambdaMax - c.lambda0) * frac
        case .cosine: return c.lambdaMax - (c.lambdaMax - c.lambda0) * (1 + cos(Double.pi * frac)) / 2
        case .exponential: return 1 - (1 - c.lambda0) * pow(c.gamma, Double(k))
        case .step:
            var v = c.lambda0
            for (m, x) in zip(c.milestones, c.values) where k >= m { v = x }
            return v
        case .constant: return c.lambda0
        }
    }
}
