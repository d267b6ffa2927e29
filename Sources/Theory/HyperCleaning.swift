import Foundation
import TensorCore

/// Data hyper-cleaning on a synthetic linear classification set (generated from the seed, no downloads).
///
/// Data: features a ~ N(0, I_d), a teacher u ~ N(0, I_d), clean labels l = sign(aᵀu) ∈ {−1, +1}; a
/// fraction `corruption` of the training labels is flipped (the validation set stays clean).
/// Upper  f(x, y) = (1/n_val) Σ_j ℓ(l_j a_jᵀy)                       (validation logistic loss)
/// Lower  g(x, y) = (1/n_tr) Σ_i σ(x_i) ℓ(l_i a_iᵀy) + (ridge/2)‖y‖²   (weighted training loss + ridge)
/// with ℓ(m) = log(1 + e^{−m}) and per-sample weights σ(x_i). g(x, ·) is ridge-strongly convex, so
/// y*(x) is unique; it is computed by GSL BFGS2 and polished by Newton steps (Cholesky), with the
/// residual ‖∇_y g‖ reported. True hypergradient by the implicit function theorem:
///   ∇F_i = −(σ'(x_i)/n_tr) ∇ℓ_i(y*)ᵀ H⁻¹ ∇_y f(y*),  H = ∇²_yy g(x, y*).
public struct HyperCleaningProblem: BilevelProblem {
    public let name = "hyper_cleaning"
    public let features: Int
    public let trainA: [[Double]]
    public let trainLabels: [Double]
    public let validA: [[Double]]
    public let validLabels: [Double]
    /// Which training labels were flipped (for reporting how well the weights find them).
    public let corrupted: [Bool]
    public let ridge: Double

    public var upperDimension: Int { trainA.count }
    public var lowerDimension: Int { features }

    public init(trainSize: Int, validSize: Int, features: Int, corruption: Double, ridge: Double, rng: RNG) throws {
        guard trainSize >= 2, validSize >= 2, features >= 1 else { throw TheoryError.invalidConfig("hyper_cleaning sizes must be >= 2 samples and >= 1 feature") }
        guard ridge > 0 else { throw TheoryError.invalidConfig("hyper_cleaning.ridge must be > 0 (it makes the lower level strongly convex)") }
        guard corruption >= 0, corruption < 1 else { throw TheoryError.invalidConfig("hyper_cleaning.corruption must be in [0, 1)") }
        self.features = features
        self.ridge = ridge
        var teacherRNG = rng.derive("hyper_cleaning/teacher")
        let u = (0..<features).map { _ in teacherRNG.normal() }
        func draw(_ purpose: String, _ n: Int) -> ([[Double]], [Double]) {
            var r = rng.derive(purpose)
            let a = (0..<n).map { _ in (0..<features).map { _ in r.normal() } }
            return (a, a.map { Vec.dot($0, u) >= 0 ? 1 : -1 })
        }
        (trainA, _) = draw("hyper_cleaning/train", trainSize)
        var labels = trainA.map { Vec.dot($0, u) >= 0 ? 1.0 : -1.0 }
        var flipRNG = rng.derive("hyper_cleaning/flip")
        let order = flipRNG.permutation(trainSize)
        let flips = Int((corruption * Double(trainSize)).rounded())
        var c = [Bool](repeating: false, count: trainSize)
        for k in 0..<flips { c[order[k]] = true; labels[order[k]] = -labels[order[k]] }
        trainLabels = labels
        corrupted = c
        (validA, validLabels) = draw("hyper_cleaning/valid", validSize)
    }

    static func sigmoid(_ z: Double) -> Double { z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z)) }
    /// ℓ(m) = log(1 + e^{−m}), stable.
    static func logistic(_ m: Double) -> Double { m > 0 ? log1p(exp(-m)) : -m + log1p(exp(m)) }

    public func upper(_ x: [Double], _ y: [Double]) -> Double {
        var s = 0.0
        for j in 0..<validA.count { s += Self.logistic(validLabels[j] * Vec.dot(validA[j], y)) }
        return s / Double(validA.count)
    }
    public func lower(_ x: [Double], _ y: [Double]) -> Double {
        var s = 0.0
        for i in 0..<trainA.count { s += Self.sigmoid(x[i]) * Self.logistic(trainLabels[i] * Vec.dot(trainA[i], y)) }
        return s / Double(trainA.count) + 0.5 * ridge * Vec.dot(y, y)
    }
    public func upperGradX(_ x: [Double], _ y: [Double]) -> [Double] { [Double](repeating: 0, count: x.count) }
    public func upperGradY(_ x: [Double], _ y: [Double]) -> [Double] {
        var g = [Double](repeating: 0, count: features)
        for j in 0..<validA.count {
            let c = -validLabels[j] * Self.sigmoid(-validLabels[j] * Vec.dot(validA[j], y)) / Double(validA.count)
            for k in 0..<features { g[k] += c * validA[j][k] }
        }
        return g
    }
    public func lowerGradX(_ x: [Double], _ y: [Double]) -> [Double] {
        (0..<trainA.count).map { i in
            let s = Self.sigmoid(x[i])
            return s * (1 - s) * Self.logistic(trainLabels[i] * Vec.dot(trainA[i], y)) / Double(trainA.count)
        }
    }
    public func lowerGradY(_ x: [Double], _ y: [Double]) -> [Double] {
        var g = Vec.scale(y, ridge)
        for i in 0..<trainA.count {
            let c = -Self.sigmoid(x[i]) * trainLabels[i] * Self.sigmoid(-trainLabels[i] * Vec.dot(trainA[i], y)) / Double(trainA.count)
            for k in 0..<features { g[k] += c * trainA[i][k] }
        }
        return g
    }
    /// ∇²_yy g = (1/n_tr) Σ σ(x_i) σ(m_i)σ(−m_i) a_i a_iᵀ + ridge·I.
    public func lowerHessian(_ x: [Double], _ y: [Double]) -> DenseMatrix {
        var h = DenseMatrix.identity(features).scaledPlusIdentity(scale: ridge, identity: 0)
        for i in 0..<trainA.count { addLogisticHessian(&h, trainA[i], trainLabels[i], y, weight: Self.sigmoid(x[i]) / Double(trainA.count)) }
        return h
    }
    /// ∇²_yy f.
    public func upperHessianY(_ y: [Double]) -> DenseMatrix {
        var h = DenseMatrix(rows: features, cols: features, storage: [Double](repeating: 0, count: features * features))
        for j in 0..<validA.count { addLogisticHessian(&h, validA[j], validLabels[j], y, weight: 1 / Double(validA.count)) }
        return h
    }
    func addLogisticHessian(_ h: inout DenseMatrix, _ a: [Double], _ l: Double, _ y: [Double], weight: Double) {
        let m = l * Vec.dot(a, y)
        let c = weight * Self.sigmoid(m) * Self.sigmoid(-m)
        for p in 0..<features { for q in 0..<features { h[p, q] += c * a[p] * a[q] } }
    }
    public func lowerHessianVector(_ x: [Double], _ y: [Double], _ v: [Double]) -> [Double] { lowerHessian(x, y).times(v) }

    /// GSL BFGS2 to ‖∇g‖ ≤ 1e-10, then Newton polish; residual reported.
    public func innerSolution(_ x: [Double], start: [Double]) throws -> InnerSolution {
        let r = numericalInnerSolution(x, start: start, tolerance: 1e-10)
        let p = try GSLMinimizer.newtonPolish(r.y, steps: 5, gradient: { lowerGradY(x, $0) }, hessian: { lowerHessian(x, $0) })
        return InnerSolution(y: p.x, value: lower(x, p.x), residual: p.gradientNorm, iterations: r.iterations, method: "gsl_bfgs2+newton")
    }
    /// f + γg by GSL BFGS2 then Newton polish (residual must be far below the 1/γ effects measured).
    public func penalisedSolution(_ x: [Double], gamma: Double, start: [Double]) throws -> InnerSolution {
        let r = GSLMinimizer.minimize(start, gradientTolerance: 1e-10 * (1 + gamma)) { y, grad in
            let gf = upperGradY(x, y), gg = lowerGradY(x, y)
            for i in 0..<y.count { grad[i] = gf[i] + gamma * gg[i] }
            return upper(x, y) + gamma * lower(x, y)
        }
        let grad: ([Double]) -> [Double] = { Vec.axpy(upperGradY(x, $0), gamma, lowerGradY(x, $0)) }
        let p = try GSLMinimizer.newtonPolish(r.x, steps: 5, gradient: grad, hessian: {
            var h = lowerHessian(x, $0).scaledPlusIdentity(scale: gamma, identity: 0)
            let hf = upperHessianY($0)
            for k in 0..<h.storage.count { h.storage[k] += hf.storage[k] }
            return h
        })
        return InnerSolution(y: p.x, value: upper(x, p.x) + gamma * lower(x, p.x), residual: p.gradientNorm, iterations: r.iterations, method: "gsl_bfgs2+newton")
    }
    public func trueHypergradient(_ x: [Double]) throws -> [Double]? {
        let ystar = try innerSolution(x, start: [Double](repeating: 0, count: features)).y
        let v = try lowerHessian(x, ystar).choleskySolve(upperGradY(x, ystar))
        return (0..<trainA.count).map { i in
            let s = Self.sigmoid(x[i]), l = trainLabels[i]
            let m = l * Vec.dot(trainA[i], ystar)
            let dl = -l * Self.sigmoid(-m) // ∇ℓ_i = dl·a_i
            return -(s * (1 - s) / Double(trainA.count)) * dl * Vec.dot(trainA[i], v)
        }
    }
}
