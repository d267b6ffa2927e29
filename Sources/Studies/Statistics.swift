import CNumerics
import TensorCore

/// Summary statistics over seeds: mean, sample standard deviation, standard error, a t-based 95%
/// confidence interval (quantile from GSL) and a seeded percentile-bootstrap interval.
public enum Statistics {
    public static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }

    /// Sample standard deviation (n − 1 in the denominator); nil for fewer than two values.
    public static func sampleStd(_ x: [Double]) -> Double? {
        guard x.count >= 2 else { return nil }
        let m = mean(x)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
    }

    /// The p-quantile of Student's t with `dof` degrees of freedom (gsl_cdf_tdist_Pinv).
    public static func tQuantile(_ p: Double, dof: Int) -> Double { gsl_cdf_tdist_Pinv(p, Double(dof)) }

    /// Number of bootstrap resamples: 2000 keeps the percentile endpoints' Monte Carlo error near 1% of the CI width.
    public static let bootstrapResamples = 2000

    /// Everything summary.csv reports for one group and metric.
    public struct Summary: Sendable, Equatable {
        public var n: Int
        public var mean: Double?
        public var std: Double?
        public var stderr: Double?
        public var ciLow: Double?
        public var ciHigh: Double?
        public var bootLow: Double?
        public var bootHigh: Double?
    }

    /// Summarises `x`; `streamName` names the bootstrap's RNG stream (group and metric), so the interval
    /// depends only on the data and its label, never on the order in which groups are processed.
    public static func summarise(_ x: [Double], streamName: String, confidence: Double = 0.95) -> Summary {
        var s = Summary(n: x.count)
        guard !x.isEmpty else { return s }
        let m = mean(x)
        s.mean = m
        guard let sd = sampleStd(x) else { return s }
        let se = sd / Double(x.count).squareRoot()
        let t = tQuantile(0.5 + confidence / 2, dof: x.count - 1)
        s.std = sd; s.stderr = se; s.ciLow = m - t * se; s.ciHigh = m + t * se
        let (lo, hi) = bootstrap(x, streamName: streamName, confidence: confidence)
        s.bootLow = lo; s.bootHigh = hi
        return s
    }

    /// Percentile bootstrap CI of the mean: `bootstrapResamples` resamples with replacement from a
    /// stream derived from RNG(seed: 0) by `streamName`; endpoints interpolated by GSL's quantile rule.
    public static func bootstrap(_ x: [Double], streamName: String, confidence: Double = 0.95) -> (Double, Double) {
        var rng = RNG(seed: 0).derive("bootstrap/" + streamName)
        var means = [Double](repeating: 0, count: bootstrapResamples)
        for b in 0..<bootstrapResamples {
            var sum = 0.0
            for _ in 0..<x.count { sum += x[rng.int(below: x.count)] }
            means[b] = sum / Double(x.count)
        }
        means.sort()
        let alpha = (1 - confidence) / 2
        return means.withUnsafeBufferPointer { p in
            (gsl_stats_quantile_from_sorted_data(p.baseAddress, 1, p.count, alpha),
             gsl_stats_quantile_from_sorted_data(p.baseAddress, 1, p.count, 1 - alpha))
        }
    }
}
