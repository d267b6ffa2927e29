import CNumerics
import Foundation

/// A log-log power-law fit y ≈ C·x^slope with a t-based confidence interval on the slope.
///
/// OLS of log y on log x by gsl_fit_linear (its covariance is scaled by the residual variance
/// s² = RSS/(n−2)); the CI is slope ± t_{1−(1−level)/2, n−2}·√cov11 with the t quantile from
/// gsl_cdf_tdist_Pinv. On deterministic curves the residuals are pure model curvature, so the CI is a
/// measure of how straight the curve is over the swept range, not of sampling noise.
public struct SlopeFit: Sendable, Equatable, Codable {
    public var slope: Double
    public var intercept: Double
    public var standardError: Double
    public var ciLow: Double
    public var ciHigh: Double
    public var points: Int
    public var level: Double

    /// Fits on positive (x, y) pairs only (log needs them); needs at least 3 usable points.
    public static func logLog(x: [Double], y: [Double], level: Double = 0.95) throws -> SlopeFit {
        let pairs = zip(x, y).filter { $0.0 > 0 && $0.1 > 0 && $0.0.isFinite && $0.1.isFinite }
        return try linear(x: pairs.map { log($0.0) }, y: pairs.map { log($0.1) }, level: level)
    }

    /// Plain OLS y = c0 + c1·x with the same CI (used for rates: log error vs K).
    public static func linear(x: [Double], y: [Double], level: Double = 0.95) throws -> SlopeFit {
        precondition(x.count == y.count)
        let n = x.count
        guard n >= 3 else { throw TheoryError.numerics("a slope fit needs at least 3 points with positive values, got \(n); widen the sweep") }
        var c0 = 0.0, c1 = 0.0, cov00 = 0.0, cov01 = 0.0, cov11 = 0.0, sumsq = 0.0
        let status = x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in
            gsl_fit_linear(xp.baseAddress, 1, yp.baseAddress, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq)
        } }
        guard status == GSL_SUCCESS else { throw TheoryError.numerics("gsl_fit_linear failed with status \(status)") }
        let se = max(0, cov11).squareRoot()
        let t = gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, Double(n - 2))
        return SlopeFit(slope: c1, intercept: c0, standardError: se, ciLow: c1 - t * se, ciHigh: c1 + t * se, points: n, level: level)
    }

    /// Power-law fit with a correction-to-scaling term: log y = c0 + slope·log x + c2·(x_min/x).
    ///
    /// Why: the penalty quantities have expansions y = C·x^s·(1 + b/x + O(1/x²)) (the bias of the
    /// quadratic is (1/γ)‖A⁻¹(I + (γA)⁻¹)⁻¹u‖), so a plain log-log fit over a finite range is biased by the
    /// b/x term; this fit estimates the leading exponent s with that term modelled. OLS by normal
    /// equations (GSL Cholesky), s² = RSS/(n−3), CI with the t quantile at n−3 degrees of freedom.
    public static func logLogCorrected(x: [Double], y: [Double], level: Double = 0.95) throws -> SlopeFit {
        let pairs = zip(x, y).filter { $0.0 > 0 && $0.1 > 0 && $0.0.isFinite && $0.1.isFinite }
        let n = pairs.count
        guard n >= 4 else { throw TheoryError.numerics("a corrected slope fit needs at least 4 points, got \(n); widen the sweep") }
        let lx = pairs.map { log($0.0) }, ly = pairs.map { log($0.1) }
        let mean = lx.reduce(0, +) / Double(n), xmin = pairs.map { $0.0 }.min()!
        let rows = (0..<n).map { [1.0, lx[$0] - mean, xmin / pairs[$0].0] }
        var xtx = DenseMatrix(rows: 3, cols: 3, storage: [Double](repeating: 0, count: 9))
        var xty = [0.0, 0.0, 0.0]
        for i in 0..<n { for a in 0..<3 { xty[a] += rows[i][a] * ly[i]; for b in 0..<3 { xtx[a, b] += rows[i][a] * rows[i][b] } } }
        let beta = try xtx.choleskySolve(xty)
        var rss = 0.0
        for i in 0..<n { let r = ly[i] - Vec.dot(rows[i], beta); rss += r * r }
        let inv = try xtx.choleskySolve([[0.0, 1, 0]])[0] // second column of (XᵀX)⁻¹
        let se = (max(0, rss / Double(n - 3) * inv[1])).squareRoot()
        let t = gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, Double(n - 3))
        return SlopeFit(slope: beta[1], intercept: beta[0] - beta[1] * mean, standardError: se,
                        ciLow: beta[1] - t * se, ciHigh: beta[1] + t * se, points: n, level: level)
    }

    /// Whether `value` lies inside the CI.
    public func contains(_ value: Double) -> Bool { ciLow <= value && value <= ciHigh }
}
