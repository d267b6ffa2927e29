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

    @Test func correctedFitRecoversLeadingExponentUnderCorrection() throws {
        let x = (0..<10).map { 10 * pow(2, Double($0)) }
        let y = x.map { pow($0, -2) * (1 + 5 / $0) }
        let plain = try SlopeFit.logLog(x: x, y: y)
        let corrected = try SlopeFit.logLogCorrected(x: x, y: y)
        #expect(abs(corrected.slope + 2) < abs(plain.slope + 2) / 10, "plain \(plain.slope), corrected \(corrected.slope)")
    }

    @Test func tooFewPointsIsAnError() {
        #expect(throws: TheoryError.self) { try SlopeFit.logLog(x: [1, 2], y: [1, 2]) }
    }
}
