import Studies
import Testing

@Suite struct StatisticsTests {
    @Test func tQuantileMatchesTables() {
        // Student t table: t_{0.975,4} = 2.776, t_{0.975,1} = 12.706, t_{0.975,30} = 2.042, t_{0.95,10} = 1.812.
        #expect(abs(Statistics.tQuantile(0.975, dof: 4) - 2.776) < 5e-4)
        #expect(abs(Statistics.tQuantile(0.975, dof: 1) - 12.706) < 5e-4)
        #expect(abs(Statistics.tQuantile(0.975, dof: 30) - 2.042) < 5e-4)
        #expect(abs(Statistics.tQuantile(0.95, dof: 10) - 1.812) < 5e-4)
    }

    @Test func summaryOfSmallSampleMatchesHandComputation() {
        // x = 1..5: mean 3, s² = 10/4 = 2.5, s = 1.5811388, se = s/√5 = 0.70710678,
        // half width = 2.7764451 · 0.70710678 = 1.9632432.
        let s = Statistics.summarise([1, 2, 3, 4, 5], streamName: "t")
        #expect(s.n == 5 && s.mean == 3)
        #expect(abs(s.std! - 1.5811388300841898) < 1e-12)
        #expect(abs(s.stderr! - 0.7071067811865476) < 1e-12)
        #expect(abs(s.ciLow! - (3 - 1.9632432)) < 1e-6 && abs(s.ciHigh! - (3 + 1.9632432)) < 1e-6)
    }

    @Test func bootstrapIsSeededAndSensible() {
        let x = [0.213, 0.5417, 0.4, 0.9123, 0.3301, 0.6789, 0.05]
        let a = Statistics.bootstrap(x, streamName: "g/m"), b = Statistics.bootstrap(x, streamName: "g/m")
        #expect(a == b)
        let c = Statistics.bootstrap(x, streamName: "other")
        #expect(a != c)
        let m = Statistics.mean(x)
        #expect(a.0 < m && m < a.1 && a.0 >= x.min()! && a.1 <= x.max()!)
        // The percentile interval of the mean is narrower than the range and near the t interval.
        let s = Statistics.summarise(x, streamName: "g/m")
        #expect(abs((a.1 - a.0) - (s.ciHigh! - s.ciLow!)) < 0.5 * (s.ciHigh! - s.ciLow!))
    }

    @Test func degenerateSamples() {
        let one = Statistics.summarise([4], streamName: "x")
        #expect(one.n == 1 && one.mean == 4 && one.std == nil && one.ciLow == nil && one.bootLow == nil)
        let none = Statistics.summarise([], streamName: "x")
        #expect(none.n == 0 && none.mean == nil)
    }

    @Test func curveAggregatesByHand() {
        let steps = [0, 10, 20, 40], v = [1.0, 3.0, 2.0, 2.0]
        #expect(CurveSummary.aggregate(.final, steps: steps, values: v) == 2)
        #expect(CurveSummary.aggregate(.max, steps: steps, values: v) == 3)
        #expect(CurveSummary.aggregate(.min, steps: steps, values: v) == 1)
        #expect(CurveSummary.aggregate(.meanLast(2), steps: steps, values: v) == 2)
        #expect(CurveSummary.aggregate(.meanLast(9), steps: steps, values: v) == 2)
        #expect(CurveSummary.aggregate(.meanFirst(2), steps: steps, values: v) == 2)
        #expect(CurveSummary.aggregate(.meanFirst(3), steps: steps, values: v) == 2)
        #expect(CurveSummary.aggregate(.meanFirst(1), steps: steps, values: v) == 1)
        #expect(CurveSummary.aggregate(.meanFirst(9), steps: steps, values: v) == 2)
        #expect(Aggregate(label: Aggregate.meanFirst(10).label) == .meanFirst(10))
        // Trapezoids: 10·2 + 10·2.5 + 20·2 = 85, over the span 40.
        #expect(CurveSummary.aggregate(.auc, steps: steps, values: v) == 85.0 / 40.0)
    }

    @Test func forgettingByHand() {
        let f = CurveSummary.forgetting(steps: [0, 5, 10, 15, 20], values: [0.8, 0.9, 0.5, 0.6, 0.4])!
        #expect(abs(f.peakDrop - 0.5) < 1e-15)
        #expect(abs(f.backwardTransfer - (-0.4)) < 1e-15)
        #expect(f.dropStep == 10)
        let rising = CurveSummary.forgetting(steps: [0, 1], values: [0.1, 0.2])!
        #expect(rising.peakDrop == 0 && rising.dropStep == nil)
    }

    @Test func globMatch() {
        #expect(ConfigPath.globMatch("eval/*/accuracy", "eval/gsm/accuracy"))
        #expect(ConfigPath.globMatch("forget/*", "forget/a/b"))
        #expect(!ConfigPath.globMatch("eval/*/accuracy", "eval/gsm/loss"))
        #expect(ConfigPath.globMatch("train/loss", "train/loss") && !ConfigPath.globMatch("train/loss", "train/loss2"))
    }
}
