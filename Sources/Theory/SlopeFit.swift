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
    /// Correction-to-scaling terms (x_min/x)^j, j = 1…m, fitted beside the slope (0: plain power law).
    public var correctionTerms = 0

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

    /// Whether `value` lies inside the CI.
    public func contains(_ value: Double) -> Bool { ciLow <= value && value <= ciHigh }
}
