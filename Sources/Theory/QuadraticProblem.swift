import Foundation
import TensorCore

/// The closed-form quadratic bilevel problem (method.md, "Closed-form check"):
///   f(x, y) = ½‖y − b‖² + (ρ/2)‖x‖²,   g(x, y) = ½ yᵀAy − xᵀy,   A ≻ 0,
///   y*(x) = A⁻¹x,   y_γ(x) = (I + γA)⁻¹(b + γx),   ∇F(x) = A⁻¹(y* − b) + ρx,
///   penalty hypergradient h_γ = ∇ₓf + γ(∇ₓg(x, y_γ) − ∇ₓg(x, y*)) = ρx + γ(y* − y_γ),
///   bias h_γ − ∇F = −(I + γA)⁻¹A⁻¹(y* − b), which falls as 1/γ.
/// A is generated benchopt-style: eigenvalues log-spaced in [μ, 1], eigenvectors a random orthogonal
/// basis (QR of a Gaussian matrix from the seeded RNG); b and the evaluation point x are Gaussian.
public struct QuadraticProblem: BilevelProblem {
    public let name = "quadratic"
    public let dimension: Int
    /// Lower Hessian A (SPD).
    public let hessian: DenseMatrix
    /// Eigenvalues of A, ascending (log-spaced in [μ, 1]).
    public let eigenvalues: [Double]
    /// Orthonormal eigenvectors of A (columns).
    public let basis: DenseMatrix
    /// Upper target b.
    public let target: [Double]
    /// Upper ridge ρ on x (0: f depends on x only through y).
    public let upperRidge: Double

    public var upperDimension: Int { dimension }
    public var lowerDimension: Int { dimension }

    /// Builds the instance of a seed. μ is the smallest eigenvalue (condition number 1/μ).
    public init(dimension: Int, mu: Double, upperRidge: Double, rng: RNG) throws {
        guard dimension >= 1 else { throw TheoryError.invalidConfig("quadratic.dimension must be >= 1") }
        guard mu > 0, mu <= 1 else { throw TheoryError.invalidConfig("quadratic.mu must be in (0, 1], got \(mu)") }
        self.dimension = dimension
        self.upperRidge = upperRidge
        var basisRNG = rng.derive("quadratic/basis")
        basis = try DenseMatrix.randomOrthogonal(dimension, rng: &basisRNG)
        eigenvalues = (0..<dimension).map { i in
            dimension == 1 ? mu : Foundation.exp(Foundation.log(mu) * (1 - Double(i) / Double(dimension - 1)))
        }
        var scaled = basis
        for i in 0..<dimension { for j in 0..<dimension { scaled[i, j] *= eigenvalues[j] } }
        var a = scaled.times(basis.transposed)
        for i in 0..<dimension { for j in 0..<i { let s = 0.5 * (a[i, j] + a[j, i]); a[i, j] = s; a[j, i] = s } }
        hessian = a
        var targetRNG = rng.derive("quadratic/target")
        target = (0..<dimension).map { _ in targetRNG.normal() }
    }

    /// The evaluation point x of a seed (Gaussian, its own stream).
    public func evaluationPoint(rng: RNG) -> [Double] {
        var r = rng.derive("quadratic/x")
        return (0..<dimension).map { _ in r.normal() }
    }

    public func upper(_ x: [Double], _ y: [Double]) -> Double {
        0.5 * Vec.dot(Vec.sub(y, target), Vec.sub(y, target)) + 0.5 * upperRidge * Vec.dot(x, x)
    }
    public func lower(_ x: [Double], _ y: [Double]) -> Double { 0.5 * Vec.dot(y, hessian.times(y)) - Vec.dot(x, y) }
    public func upperGradX(_ x: [Double], _ y: [Double]) -> [Double] { Vec.scale(x, upperRidge) }
    public func upperGradY(_ x: [Double], _ y: [Double]) -> [Double] { Vec.sub(y, target) }
    public func lowerGradX(_ x: [Double], _ y: [Double]) -> [Double] { Vec.scale(y, -1) }
    public func lowerGradY(_ x: [Double], _ y: [Double]) -> [Double] { Vec.sub(hessian.times(y), x) }
    public func lowerHessianVector(_ x: [Double], _ y: [Double], _ v: [Double]) -> [Double] { hessian.times(v) }

    /// y* = A⁻¹x by Cholesky.
    public func innerSolution(_ x: [Double], start: [Double]) throws -> InnerSolution {
        let y = try hessian.choleskySolve(x)
        return InnerSolution(y: y, value: lower(x, y), residual: Vec.norm(lowerGradY(x, y)), iterations: 0, method: "closed_form")
    }

    /// y_γ = (I + γA)⁻¹(b + γx) by Cholesky.
    public func penalisedSolution(_ x: [Double], gamma: Double, start: [Double]) throws -> InnerSolution {
        let m = hessian.scaledPlusIdentity(scale: gamma, identity: 1)
        let y = try m.choleskySolve(Vec.axpy(target, gamma, x))
        let grad = Vec.axpy(upperGradY(x, y), gamma, lowerGradY(x, y))
        return InnerSolution(y: y, value: upper(x, y) + gamma * lower(x, y), residual: Vec.norm(grad), iterations: 0, method: "closed_form")
    }

    public func distanceToSolutionSet(_ x: [Double], _ y: [Double]) throws -> Double {
        Vec.distance(y, try hessian.choleskySolve(x))
    }

    /// ∇F(x) = A⁻¹(A⁻¹x − b) + ρx.
    public func trueHypergradient(_ x: [Double]) throws -> [Double]? {
        let ystar = try hessian.choleskySolve(x)
        return Vec.axpy(try hessian.choleskySolve(Vec.sub(ystar, target)), upperRidge, x)
    }

    /// F* when ρ > 0: minimise ½‖A⁻¹x − b‖² + (ρ/2)‖x‖², i.e. (A⁻² + ρI)x = A⁻¹b. With ρ = 0, F* = 0 (x = Ab).
    public var optimalUpperValue: Double? {
        guard upperRidge > 0 else { return 0 }
        let aInv = try? hessian.choleskySolve((0..<dimension).map { j in (0..<dimension).map { $0 == j ? 1.0 : 0.0 } })
        guard let aInv else { return nil }
        let ainv = DenseMatrix(rows: dimension, cols: dimension, storage: aInv.flatMap { $0 })
        let m = ainv.times(ainv).scaledPlusIdentity(scale: 1, identity: upperRidge)
        guard let x = try? m.choleskySolve(ainv.times(target)) else { return nil }
        return upper(x, ainv.times(x))
    }

    /// Closed-form hypergradient bias of the penalty method, ‖(I+γA)⁻¹A⁻¹(y* − b)‖, via the eigenbasis
    /// (an independent formula the tests compare with the Cholesky path).
    public func biasByEigenbasis(_ x: [Double], gamma: Double) -> Double {
        let qt = basis.transposed
        let xc = qt.times(x), bc = qt.times(target)
        var s = 0.0
        for i in 0..<dimension {
            let l = eigenvalues[i]
            let r = (xc[i] / l - bc[i]) / (l * (1 + gamma * l))
            s += r * r
        }
        return s.squareRoot()
    }
}
