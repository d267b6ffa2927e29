import Foundation

/// Lower-level solvers and the hypergradient estimates built from them.
public enum InnerSolvers {
    /// K steps of gradient descent on g(x, ·) with step α from y0: the K-step proxy of y*(x).
    /// K = 1 is BRIDGE's one-step proxy θ̂ = θ − α∇_θ g (losses minimised).
    public static func gradientSteps<P: BilevelProblem>(_ p: P, x: [Double], from y0: [Double], steps: Int, stepSize: Double) -> [Double] {
        var y = y0
        for _ in 0..<steps { y = Vec.axpy(y, -stepSize, p.lowerGradY(x, y)) }
        return y
    }

    /// Gradient descent on g(x, ·) until ‖∇_y g‖ ≤ tolerance (or maxSteps): the iterative solver the
    /// tests compare with closed forms. Returns the point and its residual.
    public static func gradientDescentToTolerance<P: BilevelProblem>(_ p: P, x: [Double], from y0: [Double], stepSize: Double,
                                                                     tolerance: Double, maxSteps: Int) -> InnerSolution {
        var y = y0
        var g = p.lowerGradY(x, y)
        var k = 0
        while Vec.norm(g) > tolerance && k < maxSteps {
            y = Vec.axpy(y, -stepSize, g)
            g = p.lowerGradY(x, y)
            k += 1
        }
        return InnerSolution(y: y, value: p.lower(x, y), residual: Vec.norm(g), iterations: k, method: "gradient_descent")
    }

    /// Danskin/value-gap hypergradient with a given lower point y and a given approximation ŷ of y*(x):
    ///   h = ∇ₓf(x, y) + γ(∇ₓg(x, y) − ∇ₓg(x, ŷ)).
    /// With y = y_γ and ŷ = y* this is the penalty method's (F2SA's) hypergradient, bias O(1/γ);
    /// BRIDGE uses ŷ = its proxy θ̂.
    public static func valueGapHypergradient<P: BilevelProblem>(_ p: P, x: [Double], y: [Double], proxy: [Double], gamma: Double) -> [Double] {
        Vec.axpy(p.upperGradX(x, y), gamma, Vec.sub(p.lowerGradX(x, y), p.lowerGradX(x, proxy)))
    }

    /// Everything the penalty sweep measures at one (x, γ): y_γ, y*, h_γ and their certificates.
    public struct PenaltyPoint: Sendable {
        public var penalised: InnerSolution
        public var inner: InnerSolution
        public var hypergradient: [Double]
        /// ‖y_γ − S(x)‖
        public var distance: Double
        /// p = g(x, y_γ) − min g(x, ·)
        public var penaltyResidual: Double
    }

    public static func penaltyPoint<P: BilevelProblem>(_ p: P, x: [Double], gamma: Double, start: [Double]) throws -> PenaltyPoint {
        let inner = try p.innerSolution(x, start: start)
        let pen = try p.penalisedSolution(x, gamma: gamma, start: inner.y)
        let h = valueGapHypergradient(p, x: x, y: pen.y, proxy: inner.y, gamma: gamma)
        return PenaltyPoint(penalised: pen, inner: inner, hypergradient: h,
                            distance: try p.distanceToSolutionSet(x, pen.y),
                            penaltyResidual: p.lower(x, pen.y) - inner.value)
    }
}
