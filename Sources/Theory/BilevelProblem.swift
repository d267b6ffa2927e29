import Foundation

/// A bilevel problem  min_x F(x) = f(x, y*(x))  s.t.  y*(x) ∈ argmin_y g(x, y)  (losses are minimised).
///
/// Mapping to BRIDGE: x is the upper variable (the LoRA adapters w, trained by SFT), y the lower one
/// (the base weights θ, trained by RL); f plays L_SFT and g plays L_RL. Every problem provides its
/// objectives, their partial gradients, the lower Hessian-vector product, and an exact or certified
/// inner solution (`InnerSolution.residual` says how exact).
public protocol BilevelProblem: Sendable {
    var name: String { get }
    var upperDimension: Int { get }
    var lowerDimension: Int { get }
    /// Upper objective f(x, y).
    func upper(_ x: [Double], _ y: [Double]) -> Double
    /// Lower objective g(x, y).
    func lower(_ x: [Double], _ y: [Double]) -> Double
    func upperGradX(_ x: [Double], _ y: [Double]) -> [Double]
    func upperGradY(_ x: [Double], _ y: [Double]) -> [Double]
    func lowerGradX(_ x: [Double], _ y: [Double]) -> [Double]
    func lowerGradY(_ x: [Double], _ y: [Double]) -> [Double]
    /// ∇²_yy g(x, y)·v.
    func lowerHessianVector(_ x: [Double], _ y: [Double], _ v: [Double]) -> [Double]
    /// A minimiser of g(x, ·) (the one nearest `start` when the solution set is not a singleton).
    func innerSolution(_ x: [Double], start: [Double]) throws -> InnerSolution
    /// The optimistic lower solution argmin_{y ∈ S(x)} f(x, y) (equals `innerSolution` when S(x) is a
    /// singleton); the exact-hypergradient reference method follows it.
    func optimisticInnerSolution(_ x: [Double], start: [Double]) throws -> InnerSolution
    /// A minimiser of f(x, ·) + γ·g(x, ·): the penalised lower solution y_γ(x).
    func penalisedSolution(_ x: [Double], gamma: Double, start: [Double]) throws -> InnerSolution
    /// Distance from y to the lower-level solution set S(x) = argmin g(x, ·).
    func distanceToSolutionSet(_ x: [Double], _ y: [Double]) throws -> Double
    /// ∇F(x), the true hypergradient (optimistic when S(x) is not a singleton); nil if not available.
    func trueHypergradient(_ x: [Double]) throws -> [Double]?
    /// Projection onto the feasible set of x (identity when unconstrained).
    func projectUpper(_ x: [Double]) -> [Double]
    /// The optimal upper value F* when known (for the objective gap), else nil.
    var optimalUpperValue: Double? { get }
}

/// A lower-level solution with its certificate.
public struct InnerSolution: Sendable, Equatable {
    /// The solution point y.
    public var y: [Double]
    /// Objective value at y (g for inner solutions, f + γg for penalised ones).
    public var value: Double
    /// ‖gradient of the minimised objective‖ at y: 0 up to rounding for closed forms.
    public var residual: Double
    /// Solver iterations (0 for closed forms).
    public var iterations: Int
    /// "closed_form", "gsl_bfgs2", "gsl_bfgs2+newton".
    public var method: String

    public init(y: [Double], value: Double, residual: Double, iterations: Int, method: String) {
        self.y = y; self.value = value; self.residual = residual; self.iterations = iterations; self.method = method
    }
}

extension BilevelProblem {
    public func projectUpper(_ x: [Double]) -> [Double] { x }
    public func optimisticInnerSolution(_ x: [Double], start: [Double]) throws -> InnerSolution { try innerSolution(x, start: start) }
    public var optimalUpperValue: Double? { nil }

    public func distanceToSolutionSet(_ x: [Double], _ y: [Double]) throws -> Double {
        Vec.distance(y, try innerSolution(x, start: y).y)
    }

    /// Default penalised solve: GSL BFGS2 on f + γg from `start`, gradient tolerance scaled by (1 + γ).
    public func penalisedSolution(_ x: [Double], gamma: Double, start: [Double]) throws -> InnerSolution {
        let r = GSLMinimizer.minimize(start, gradientTolerance: 1e-11 * (1 + gamma)) { y, grad in
            let gf = upperGradY(x, y), gg = lowerGradY(x, y)
            for i in 0..<y.count { grad[i] = gf[i] + gamma * gg[i] }
            return upper(x, y) + gamma * lower(x, y)
        }
        return InnerSolution(y: r.x, value: r.value, residual: r.gradientNorm, iterations: r.iterations, method: "gsl_bfgs2")
    }

    /// Default inner solve: GSL BFGS2 on g(x, ·) from `start`.
    public func numericalInnerSolution(_ x: [Double], start: [Double], tolerance: Double = 1e-12) -> InnerSolution {
        let r = GSLMinimizer.minimize(start, gradientTolerance: tolerance) { y, grad in
            let gg = lowerGradY(x, y)
            for i in 0..<y.count { grad[i] = gg[i] }
            return lower(x, y)
        }
        return InnerSolution(y: r.x, value: r.value, residual: r.gradientNorm, iterations: r.iterations, method: "gsl_bfgs2")
    }

    /// The value-gap penalty p(x, y) = g(x, y) − min_y' g(x, y').
    public func penaltyResidual(_ x: [Double], _ y: [Double]) throws -> Double {
        lower(x, y) - (try innerSolution(x, start: y).value)
    }

    /// The upper objective along the lower solution, F(x) = f(x, y*(x)).
    public func reducedUpper(_ x: [Double]) throws -> Double {
        upper(x, try innerSolution(x, start: [Double](repeating: 0, count: lowerDimension)).y)
    }
}
