import CNumerics
import TensorCore
import Foundation

/// A square or rectangular row-major Double matrix with the few GSL operations the theory problems need
/// (Cholesky solves, QR for random orthogonal bases). Errors from GSL become `TheoryError.numerics`.
public struct DenseMatrix: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    /// Row-major entries, rows·cols.
    public var storage: [Double]

    public init(rows: Int, cols: Int, storage: [Double]) {
        precondition(storage.count == rows * cols, "DenseMatrix: \(storage.count) entries for \(rows)x\(cols)")
        self.rows = rows; self.cols = cols; self.storage = storage
    }
    public static func identity(_ n: Int) -> DenseMatrix {
        var m = DenseMatrix(rows: n, cols: n, storage: [Double](repeating: 0, count: n * n))
        for i in 0..<n { m[i, i] = 1 }
        return m
    }
    public subscript(i: Int, j: Int) -> Double {
        get { storage[i * cols + j] }
        set { storage[i * cols + j] = newValue }
    }

    /// M·v
    public func times(_ v: [Double]) -> [Double] {
        precondition(v.count == cols)
        var out = [Double](repeating: 0, count: rows)
        for i in 0..<rows {
            var s = 0.0
            for j in 0..<cols { s += storage[i * cols + j] * v[j] }
            out[i] = s
        }
        return out
    }
    /// Mᵀ
    public var transposed: DenseMatrix {
        var t = DenseMatrix(rows: cols, cols: rows, storage: [Double](repeating: 0, count: rows * cols))
        for i in 0..<rows { for j in 0..<cols { t[j, i] = self[i, j] } }
        return t
    }
    /// M·N
    public func times(_ n: DenseMatrix) -> DenseMatrix {
        precondition(cols == n.rows)
        var out = DenseMatrix(rows: rows, cols: n.cols, storage: [Double](repeating: 0, count: rows * n.cols))
        for i in 0..<rows { for k in 0..<cols {
            let a = self[i, k]
            if a == 0 { continue }
            for j in 0..<n.cols { out.storage[i * n.cols + j] += a * n.storage[k * n.cols + j] }
        } }
        return out
    }
    /// a·M + b·I (square only): the (I + γA) of the penalised quadratic.
    public func scaledPlusIdentity(scale a: Double, identity b: Double) -> DenseMatrix {
        precondition(rows == cols)
        var out = DenseMatrix(rows: rows, cols: cols, storage: storage.map { $0 * a })
        for i in 0..<rows { out[i, i] += b }
        return out
    }

    /// Solves M·z = v for symmetric positive definite M with GSL's Cholesky (gsl_linalg_cholesky_decomp1).
    public func choleskySolve(_ v: [Double]) throws -> [Double] {
        try choleskySolve([v])[0]
    }

    /// Several right-hand sides against one Cholesky factorisation.
    public func choleskySolve(_ rhs: [[Double]]) throws -> [[Double]] {
        precondition(rows == cols)
        cnumerics_gsl_disable_abort()
        let n = rows
        let m = gsl_matrix_alloc(n, n)!, b = gsl_vector_alloc(n)!, z = gsl_vector_alloc(n)!
        defer { gsl_matrix_free(m); gsl_vector_free(b); gsl_vector_free(z) }
        for i in 0..<n { for j in 0..<n { gsl_matrix_set(m, i, j, self[i, j]) } }
        let status = gsl_linalg_cholesky_decomp1(m)
        guard status == GSL_SUCCESS else {
            throw TheoryError.numerics("Cholesky factorisation failed (GSL status \(status)): the matrix is not positive definite; check the spectrum (mu > 0) and the ridge")
        }
        var out: [[Double]] = []
        for v in rhs {
            precondition(v.count == n)
            for i in 0..<n { gsl_vector_set(b, i, v[i]) }
            let s = gsl_linalg_cholesky_solve(m, b, z)
            guard s == GSL_SUCCESS else { throw TheoryError.numerics("Cholesky solve failed (GSL status \(s))") }
            out.append((0..<n).map { gsl_vector_get(z, $0) })
        }
        return out
    }

    /// A random orthogonal n×n matrix: the Q of a QR factorisation (GSL Householder) of a Gaussian
    /// matrix drawn from `rng`, with column signs fixed by R's diagonal so that Q is Haar-distributed.
    public static func randomOrthogonal(_ n: Int, rng: inout RNG) throws -> DenseMatrix {
        cnumerics_gsl_disable_abort()
        let a = gsl_matrix_alloc(n, n)!, tau = gsl_vector_alloc(n)!, q = gsl_matrix_alloc(n, n)!, r = gsl_matrix_alloc(n, n)!
        defer { gsl_matrix_free(a); gsl_vector_free(tau); gsl_matrix_free(q); gsl_matrix_free(r) }
        for i in 0..<n { for j in 0..<n { gsl_matrix_set(a, i, j, rng.normal()) } }
        guard gsl_linalg_QR_decomp(a, tau) == GSL_SUCCESS, gsl_linalg_QR_unpack(a, tau, q, r) == GSL_SUCCESS else {
            throw TheoryError.numerics("QR factorisation of a Gaussian matrix failed")
        }
        var out = DenseMatrix(rows: n, cols: n, storage: [Double](repeating: 0, count: n * n))
        for j in 0..<n {
            let sign: Double = gsl_matrix_get(r, j, j) < 0 ? -1 : 1
            for i in 0..<n { out[i, j] = sign * gsl_matrix_get(q, i, j) }
        }
        return out
    }
}

/// Errors of the theory module: numerics that failed to certify, or configurations that cannot run.
public enum TheoryError: Error, CustomStringConvertible, Equatable {
    case numerics(String)
    case invalidConfig(String)
    public var description: String {
        switch self {
        case let .numerics(m): return "theory numerics: \(m)"
        case let .invalidConfig(m): return "theory config: \(m)"
        }
    }
}
