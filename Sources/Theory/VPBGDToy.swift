import Foundation

/// V-PBGD's 1-D toy (Shen & Chen 2023, arXiv 2302.05185; definition as in method.md):
///   f(x, y) = cos(4y + 2)/(1 + e^{2−4x}) + ½ ln((4x − 2)² + 1),
///   g(x, y) = (x + y)² + x·sin²(x + y),   x ∈ [0, 3].
/// For x ≥ 0, g ≥ 0 with equality exactly on y = −x (sin² ≥ 0 and (x+y)² > 0 elsewhere), so
/// S(x) = {−x}, min g = 0 and F(x) = f(x, −x). g(x, ·) is not convex everywhere (g_yy = 2 + 2x·cos 2(x+y)
/// can be negative for x > 1) but satisfies PL near S(x), the setting of V-PBGD's theory.
public struct VPBGDToy: BilevelProblem {
    public let name = "vpbgd_toy"
    public let upperDimension = 1
    public let lowerDimension = 1
    public init() {}

    public func upper(_ x: [Double], _ y: [Double]) -> Double {
        cos(4 * y[0] + 2) / (1 + exp(2 - 4 * x[0])) + 0.5 * log((4 * x[0] - 2) * (4 * x[0] - 2) + 1)
    }
    public func lower(_ x: [Double], _ y: [Double]) -> Double {
        let s = x[0] + y[0], sn = sin(s)
        return s * s + x[0] * sn * sn
    }
    public func upperGradX(_ x: [Double], _ y: [Double]) -> [Double] {
        let e = exp(2 - 4 * x[0]), u = 4 * x[0] - 2
        return [cos(4 * y[0] + 2) * 4 * e / ((1 + e) * (1 + e)) + 4 * u / (u * u + 1)]
    }
    public func upperGradY(_ x: [Double], _ y: [Double]) -> [Double] {
        [-4 * sin(4 * y[0] + 2) / (1 + exp(2 - 4 * x[0]))]
    }
    public func lowerGradX(_ x: [Double], _ y: [Double]) -> [Double] {
        let s = x[0] + y[0], sn = sin(s)
        return [2 * s + sn * sn + x[0] * sin(2 * s)]
    }
    public func lowerGradY(_ x: [Double], _ y: [Double]) -> [Double] {
        let s = x[0] + y[0]
        return [2 * s + x[0] * sin(2 * s)]
    }
    public func lowerHessianVector(_ x: [Double], _ y: [Double], _ v: [Double]) -> [Double] {
        [(2 + 2 * x[0] * cos(2 * (x[0] + y[0]))) * v[0]]
    }
    /// Exact: y* = −x, g = 0.
    public func innerSolution(_ x: [Double], start: [Double]) throws -> InnerSolution {
        InnerSolution(y: [-x[0]], value: 0, residual: 0, iterations: 0, method: "closed_form")
    }
    public func distanceToSolutionSet(_ x: [Double], _ y: [Double]) throws -> Double { abs(x[0] + y[0]) }
    /// F'(x) = f_x(x, −x) − f_y(x, −x) (since dy*/dx = −1).
    public func trueHypergradient(_ x: [Double]) throws -> [Double]? {
        let y = [-x[0]]
        return [upperGradX(x, y)[0] - upperGradY(x, y)[0]]
    }
    public func projectUpper(_ x: [Double]) -> [Double] { [min(3, max(0, x[0]))] }
}
