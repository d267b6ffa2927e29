import Foundation

/// Outer-loop methods compared on the toys (x upper, y lower; all losses minimised).
public enum OuterMethod: String, Codable, Sendable, CaseIterable {
    /// x ← Π(x − β∇F(x)) with the true hypergradient; y = y*(x). The reference.
    case exactHypergradient = "exact_hypergradient"
    /// y = y_γ(x) solved exactly, x ← Π(x − β h_γ) with h_γ the value-gap hypergradient (F2SA-style).
    case penalty
    /// BRIDGE with the one-step proxy θ̂ = θ − α̂∇g (method.md step 4, `one_step`).
    case bridgeOneStep = "bridge_one_step"
    /// BRIDGE with K proxy steps from θ_k (`k_step`).
    case bridgeKStep = "bridge_k_step"
    /// BRIDGE with a persistent shadow θ̂ that only takes lower steps (`shadow`, paper v3).
    case bridgeShadow = "bridge_shadow"
    /// V-PBGD (Shen & Chen 2023): ŷ by K steps on g, then a joint projected step on f + γ(g − g(x, ŷ)).
    case vpbgd
    /// BOME (Liu et al. 2022): ŷ by K steps, q = g(x,y) − g(x,ŷ), d = ∇f + max(0, η − ⟨∇f,∇q⟩/‖∇q‖²)∇q.
    case bome
}

/// Settings of one outer run.
public struct OuterSettings: Sendable, Equatable {
    public var method: OuterMethod
    public var iterations: Int
    /// β: step on x.
    public var upperStep: Double
    /// α: step on y (student / joint step).
    public var lowerStep: Double
    /// α̂: step of the proxy / inner steps.
    public var proxyStep: Double
    /// K: proxy or inner steps per outer iteration.
    public var innerSteps: Int
    /// γ for penalty / V-PBGD; BRIDGE uses λ = γ/(1+γ).
    public var gamma: Double
    /// BOME's η.
    public var eta: Double
    /// ε of ε-stationarity: ‖x − Π(x − ∇F(x))‖ ≤ ε.
    public var epsilon: Double

    public init(method: OuterMethod, iterations: Int, upperStep: Double, lowerStep: Double, proxyStep: Double,
                innerSteps: Int, gamma: Double, eta: Double, epsilon: Double) {
        self.method = method; self.iterations = iterations; self.upperStep = upperStep; self.lowerStep = lowerStep
        self.proxyStep = proxyStep; self.innerSteps = innerSteps; self.gamma = gamma; self.eta = eta; self.epsilon = epsilon
    }
}

/// What an outer run ends with.
public struct OuterOutcome: Sendable {
    public var x: [Double]
    public var y: [Double]
    /// First iteration at which x was ε-stationary for F, or nil if never.
    public var iterationsToStationarity: Int?
    /// f(x, y) − F* at the end (when F* is known), else f(x, y).
    public var upperGap: Double
    /// F(x) − F* with the exact lower solution.
    public var reducedUpperGap: Double
    /// g(x, y) − min g(x, ·) at the end.
    public var penaltyResidual: Double
    /// ‖x − Π(x − ∇F(x))‖ at the end.
    public var stationarity: Double
    /// False when an iterate became non-finite (the run stopped there).
    public var finite: Bool
}

public enum OuterSolvers {
    /// Projected-gradient stationarity measure of F at x.
    public static func stationarity<P: BilevelProblem>(_ p: P, _ x: [Double]) throws -> Double {
        guard let h = try p.trueHypergradient(x) else { return .nan }
        return Vec.distance(x, p.projectUpper(Vec.sub(x, h)))
    }

    /// Runs one method from (x0, y0).
    public static func run<P: BilevelProblem>(_ p: P, x0: [Double], y0: [Double], settings s: OuterSettings) throws -> OuterOutcome {
        var x = p.projectUpper(x0), y = y0
        var shadow = y0
        let lambda = s.gamma / (1 + s.gamma)
        var hit: Int? = try stationarity(p, x) <= s.epsilon ? 0 : nil
        var finite = true
        for k in 1...max(1, s.iterations) {
            switch s.method {
            case .exactHypergradient:
                guard let h = try p.trueHypergradient(x) else { throw TheoryError.invalidConfig("\(p.name) has no true hypergradient") }
                x = p.projectUpper(Vec.axpy(x, -s.upperStep, h))
                y = try p.optimisticInnerSolution(x, start: y).y
            case .penalty:
                let pt = try InnerSolvers.penaltyPoint(p, x: x, gamma: s.gamma, start: y)
                y = pt.penalised.y
                x = p.projectUpper(Vec.axpy(x, -s.upperStep, pt.hypergradient))
            case .bridgeOneStep, .bridgeKStep, .bridgeShadow:
                // Student: θ_{k+1} = θ_k − α((1−λ)∇f + λ∇g); proxy θ̂ from θ_k (or the shadow).
                let gy = Vec.axpy(Vec.scale(p.upperGradY(x, y), 1 - lambda), lambda, p.lowerGradY(x, y))
                let proxy: [Double]
                switch s.method {
                case .bridgeOneStep: proxy = InnerSolvers.gradientSteps(p, x: x, from: y, steps: 1, stepSize: s.proxyStep)
                case .bridgeKStep: proxy = InnerSolvers.gradientSteps(p, x: x, from: y, steps: s.innerSteps, stepSize: s.proxyStep)
                default:
                    shadow = InnerSolvers.gradientSteps(p, x: x, from: shadow, steps: s.innerSteps, stepSize: s.proxyStep)
                    proxy = shadow
                }
                let yNext = Vec.axpy(y, -s.lowerStep, gy)
                // Teacher: (1−λ)∇ₓf(x, θ_{k+1}) + λ[∇ₓg(x, θ_{k+1}) − ∇ₓg(x, θ̂)].
                let gx = Vec.axpy(Vec.scale(p.upperGradX(x, yNext), 1 - lambda), lambda,
                                  Vec.sub(p.lowerGradX(x, yNext), p.lowerGradX(x, proxy)))
                y = yNext
                x = p.projectUpper(Vec.axpy(x, -s.upperStep, gx))
            case .vpbgd:
                let yhat = InnerSolvers.gradientSteps(p, x: x, from: y, steps: s.innerSteps, stepSize: s.proxyStep)
                let gx = InnerSolvers.valueGapHypergradient(p, x: x, y: y, proxy: yhat, gamma: s.gamma)
                let gy = Vec.axpy(p.upperGradY(x, y), s.gamma, p.lowerGradY(x, y))
                // V-PBGD's step must be ≤ 1/(L_f + γL_g): the configured steps are divided by (1 + γ).
                x = p.projectUpper(Vec.axpy(x, -s.upperStep / (1 + s.gamma), gx))
                y = Vec.axpy(y, -s.lowerStep / (1 + s.gamma), gy)
            case .bome:
                let yhat = InnerSolvers.gradientSteps(p, x: x, from: y, steps: s.innerSteps, stepSize: s.proxyStep)
                let df = p.upperGradX(x, y) + p.upperGradY(x, y)
                let dq = Vec.sub(p.lowerGradX(x, y), p.lowerGradX(x, yhat)) + p.lowerGradY(x, y)
                let nq = Vec.dot(dq, dq)
                let weight = max(0, s.eta - Vec.dot(df, dq) / (nq + 1e-8)) // BOME's 1e-8 guard against ∇q = 0
                let d = Vec.axpy(df, weight, dq)
                x = p.projectUpper(Vec.axpy(x, -s.upperStep, Array(d[0..<x.count])))
                y = Vec.axpy(y, -s.lowerStep, Array(d[x.count...]))
            }
            guard Vec.isFinite(x), Vec.isFinite(y) else { finite = false; break }
            if hit == nil, try stationarity(p, x) <= s.epsilon { hit = k }
        }
        let fStar = p.optimalUpperValue ?? 0
        let inner = try finite ? p.optimisticInnerSolution(x, start: y) : InnerSolution(y: y, value: .nan, residual: .nan, iterations: 0, method: "")
        var o = OuterOutcome(x: x, y: y, iterationsToStationarity: hit,
                             upperGap: p.upper(x, y) - fStar,
                             reducedUpperGap: p.upper(x, inner.y) - fStar,
                             penaltyResidual: p.lower(x, y) - inner.value,
                             stationarity: finite ? try stationarity(p, x) : .nan, finite: finite)
        // Overflow can leave finite iterates with infinite objectives: count that as divergence too.
        o.finite = finite && [o.upperGap, o.reducedUpperGap, o.penaltyResidual, o.stationarity].allSatisfy { $0.isFinite }
        return o
    }
}
