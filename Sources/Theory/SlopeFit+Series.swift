import CNumerics
import Foundation

/// Power-law fits with correction-to-scaling terms, for curves that are power laws only asymptotically.
///
/// Why: the penalty quantities are y = C·x^s·h(1/x) with h analytic at 0 (the quadratic's bias is
/// (1/γ)‖(A + I/γ)⁻¹A⁻¹(y* − b)‖), so log y = c₀ + s·log x + Σ_j c_j·(x_min/x)^j exactly. A plain
/// log-log fit over a finite range is biased by the j ≥ 1 terms, and on a deterministic curve its CI
/// (residual curvature) is narrower than that bias. Fitting the series until its newest term is no longer
/// significant leaves residuals at the data's own precision, and the slope's CI is then a statement
/// about that precision.
extension SlopeFit {
    /// Fits log y = c₀ + s·log x + Σ_{j=1…m} c_j·(x_min/x)^j with m chosen by forward selection: m grows
    /// from `minTerms` while the newest coefficient is significant (|t| above the two-sided `level`
    /// quantile) and at least 2 residual degrees of freedom remain; at most `maxTerms`. Needs
    /// minTerms + 3 points (one residual degree of freedom).
    /// Least squares by GSL's SVD solver (gsl_multifit_linear), whose cov is s²(XᵀX)⁻¹ with
    /// s² = RSS/(n − p); CI = slope ± t_{n−p}·SE. Positive, finite pairs only.
    public static func logLogSeries(x: [Double], y: [Double], level: Double = 0.95, minTerms: Int = 1, maxTerms: Int = 6) throws -> SlopeFit {
        let pairs = zip(x, y).filter { $0.0 > 0 && $0.1 > 0 && $0.0.isFinite && $0.1.isFinite }
        let n = pairs.count
        guard n >= minTerms + 3 else {
            throw TheoryError.numerics("a slope fit with \(minTerms) correction term(s) needs at least \(minTerms + 3) points, got \(n); widen the sweep")
        }
        let lx = pairs.map { log($0.0) }, ly = pairs.map { log($0.1) }
        let xmin = pairs.map(\.0).min()!
        let ratio = pairs.map { xmin / $0.0 }
        var best = try seriesFit(lx: lx, ly: ly, ratio: ratio, terms: minTerms, level: level)
        var m = minTerms
        while m < maxTerms && n - (m + 3) >= 2 {
            let next = try seriesFit(lx: lx, ly: ly, ratio: ratio, terms: m + 1, level: level)
            guard abs(next.newestT) > next.tQuantile else { break }
            best = next
            m += 1
        }
        return best.fit
    }

    /// One least-squares fit with `terms` correction terms: the slope fit, the t statistic of the newest
    /// coefficient and the t quantile used for the CI.
    static func seriesFit(lx: [Double], ly: [Double], ratio: [Double], terms: Int, level: Double) throws
        -> (fit: SlopeFit, newestT: Double, tQuantile: Double) {
        let n = lx.count, p = 2 + terms
        let mean = lx.reduce(0, +) / Double(n)
        guard let X = gsl_matrix_alloc(n, p), let yv = gsl_vector_alloc(n), let c = gsl_vector_alloc(p),
              let cov = gsl_matrix_alloc(p, p), let work = gsl_multifit_linear_alloc(n, p) else {
            throw TheoryError.numerics("GSL could not allocate a \(n)×\(p) least-squares problem")
        }
        defer { gsl_matrix_free(X); gsl_vector_free(yv); gsl_vector_free(c); gsl_matrix_free(cov); gsl_multifit_linear_free(work) }
        for i in 0..<n {
            gsl_matrix_set(X, i, 0, 1)
            gsl_matrix_set(X, i, 1, lx[i] - mean) // centred: the slope's column is orthogonal to the intercept's
            var power = 1.0
            for j in 0..<terms { power *= ratio[i]; gsl_matrix_set(X, i, 2 + j, power) }
            gsl_vector_set(yv, i, ly[i])
        }
        var chisq = 0.0
        let status = gsl_multifit_linear(X, yv, c, cov, &chisq, work)
        guard status == GSL_SUCCESS else { throw TheoryError.numerics("gsl_multifit_linear failed with status \(status)") }
        // GSL's cov is s²(XᵀX)⁻¹ with s² = χ²/(n − p) (pinned by SlopeFitTests: with no terms the SE equals
        // gsl_fit_linear's).
        let dof = Double(n - p)
        func variance(_ j: Int) -> Double { max(0, gsl_matrix_get(cov, j, j)) }
        let slope = gsl_vector_get(c, 1), se = variance(1).squareRoot()
        let t = gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, dof)
        let newestSE = variance(p - 1).squareRoot()
        let newestT = newestSE > 0 ? gsl_vector_get(c, p - 1) / newestSE : .infinity
        let fit = SlopeFit(slope: slope, intercept: gsl_vector_get(c, 0) - slope * mean, standardError: se,
                           ciLow: slope - t * se, ciHigh: slope + t * se, points: n, level: level, correctionTerms: terms)
        return (fit, newestT, t)
    }
}
