import Testing
import Foundation
import TensorCore
import Theory

@Suite struct SlopeFitTests {
    @Test func exactPowerLawGivesItsSlope() throws {
        let x = [1.0, 2, 5, 10, 20, 50]
        let f = try SlopeFit.logLog(x: x, y: x.map { 3 * pow($0, -1.5) })
        #expect(abs(f.slope + 1.5) < 1e-12, "slope \(f.slope)")
    }

    /// Noisy synthetic data with known slope: the 95% CI covers the truth in about 95% of 200 trials.
    @Test func confidenceIntervalCoversKnownSlopeAtNominalRate() throws {
        var covered = 0
        let x = (0..<12).map { pow(10, Double($0) / 4) }
        for trial in 0..<200 {
            var r = RNG(seed: 5).derive("trial", UInt64(trial))
            let y = x.map { 2 * pow($0, -1) * exp(0.1 * r.normal()) }
            if try SlopeFit.logLog(x: x, y: y).contains(-1) { covered += 1 }
        }
        #expect(covered >= 180 && covered <= 198, "coverage \(covered)/200")
    }

    /// A curve that is a power law only asymptotically: the plain fit misses the exponent and its CI
    /// excludes it; the series fit recovers it and its CI covers it.
    @Test func seriesFitRecoversLeadingExponentUnderCorrections() throws {
        let x = (0..<10).map { 10 * pow(2, Double($0)) }
        let y = x.map { pow($0, -2) * (1 + 5 / $0 + 30 / ($0 * $0)) }
        let plain = try SlopeFit.logLog(x: x, y: y)
        let series = try SlopeFit.logLogSeries(x: x, y: y)
        #expect(!plain.contains(-2), "plain \(plain.slope) [\(plain.ciLow), \(plain.ciHigh)]")
        #expect(series.contains(-2), "series \(series.slope) [\(series.ciLow), \(series.ciHigh)], \(series.correctionTerms) terms")
        #expect(abs(series.slope + 2) < abs(plain.slope + 2) / 1000, "plain \(plain.slope), series \(series.slope)")
        #expect(series.correctionTerms >= 2, "two correction terms are present in the data; chose \(series.correctionTerms)")
    }

    /// With no correction terms the series fit is plain OLS: same slope and standard error as
    /// gsl_fit_linear (this pins down the covariance scaling taken from gsl_multifit_linear).
    @Test func seriesFitWithoutTermsEqualsPlainFit() throws {
        var r = RNG(seed: 9)
        let x = (0..<12).map { pow(10, Double($0) / 4) }
        let y = x.map { 2 * pow($0, -1) * exp(0.1 * r.normal()) }
        let plain = try SlopeFit.logLog(x: x, y: y)
        let series = try SlopeFit.logLogSeries(x: x, y: y, minTerms: 0, maxTerms: 0)
        #expect(abs(series.slope - plain.slope) < 1e-12 && abs(series.standardError / plain.standardError - 1) < 1e-9,
                "series \(series.slope) ± \(series.standardError), plain \(plain.slope) ± \(plain.standardError)")
    }

    /// Noisy data with a real correction term: the series fit's CI covers the exponent near the nominal rate.
    @Test func seriesFitCoverageOnNoisyCorrectedData() throws {
        var covered = 0
        let x = (0..<12).map { 10 * pow(10, Double($0) / 4) }
        for trial in 0..<200 {
            var r = RNG(seed: 11).derive("trial", UInt64(trial))
            let y = x.map { pow($0, -1) * (1 + 2 / $0) * exp(0.01 * r.normal()) }
            if try SlopeFit.logLogSeries(x: x, y: y).contains(-1) { covered += 1 }
        }
        #expect(covered >= 170 && covered <= 199, "coverage \(covered)/200")
    }

    @Test func tooFewPointsIsAnError() {
        #expect(throws: TheoryError.self) { try SlopeFit.logLog(x: [1, 2], y: [1, 2]) }
    }
}
