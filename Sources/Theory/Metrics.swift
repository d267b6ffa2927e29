import BridgeSupport
import Foundation

/// Metric names of the theory module (namespace theory/), defined once.
public enum TheoryMetric {
    public static let gamma = "theory/gamma"
    public static let lambda = "theory/lambda"
    public static let biasNorm = "theory/hypergrad_error"
    /// ‖h − ∇F‖ / ‖∇F‖
    public static let biasRelative = "theory/hypergrad_error_relative"
    public static let biasClosedForm = "theory/hypergrad_error_closed_form"
    public static let cosine = "theory/hypergrad_cosine"
    public static let distance = "theory/distance_to_solution_set"
    public static let penaltyResidual = "theory/penalty_residual"
    public static let upperGap = "theory/upper_gap"
    public static let innerResidual = "theory/inner_residual"
    public static let penalisedResidual = "theory/penalised_residual"
    public static let k = "theory/k"
    public static let alpha = "theory/alpha"
    public static let proxyError = "theory/proxy_error"
    public static let proxyErrorClosedForm = "theory/proxy_error_closed_form"
    public static let upperPoint = "theory/x"
    public static let lowerPoint = "theory/y"
    public static let stationarity = "theory/stationarity"
    public static let klStarToProxy = "theory/kl_star_to_proxy"
    public static let expectedReward = "theory/expected_reward"
    /// Per-method outer metrics: theory/<method>/<what>.
    public static func outer(_ method: String, _ what: String) -> String { "theory/\(method)/\(what)" }
    /// Slope metrics: theory/slope_<name>, _ci_low, _ci_high, _se, _expected, _points (and _terms for series fits).
    public static func slope(_ name: String) -> String { "theory/slope_\(name)" }
}

/// Collects the rows of one run and refuses non-finite values with a `diverged` error.
public struct TheoryRecorder {
    public var log: MetricLog
    public var final: [String: Double] = [:]
    /// Fitted slopes in the order they were added (for the summary table).
    public var slopes: [(name: String, fit: SlopeFit, expected: Double, note: String)] = []

    public init(runId: String) { log = MetricLog(runId: runId) }

    public mutating func log(_ step: Int, _ metric: String, _ value: Double) throws {
        guard value.isFinite else { throw TheoryDiverged(metric: metric, step: step, value: value) }
        log.log(step: step, metric, value)
    }

    public mutating func setFinal(_ metric: String, _ value: Double) throws {
        guard value.isFinite else { throw TheoryDiverged(metric: metric, step: -1, value: value) }
        final[metric] = value
    }

    /// Records a slope fit into `final` (value, CI, SE, expected) and the summary list.
    public mutating func addSlope(_ name: String, _ fit: SlopeFit, expected: Double, note: String) throws {
        let key = TheoryMetric.slope(name)
        try setFinal(key, fit.slope)
        try setFinal(key + "_ci_low", fit.ciLow)
        try setFinal(key + "_ci_high", fit.ciHigh)
        try setFinal(key + "_se", fit.standardError)
        try setFinal(key + "_expected", expected)
        try setFinal(key + "_points", Double(fit.points))
        if fit.correctionTerms > 0 { try setFinal(key + "_terms", Double(fit.correctionTerms)) }
        slopes.append((name, fit, expected, note))
    }
}

/// A non-finite number reached a metric: the run stops with status `diverged`.
public struct TheoryDiverged: Error, CustomStringConvertible {
    public let metric: String
    public let step: Int
    public let value: Double
    public var description: String { "non-finite \(metric) = \(value) at sweep step \(step): lower the step sizes or narrow the sweep" }
}
