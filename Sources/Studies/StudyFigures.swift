import BridgeSupport
import Foundation

/// The kinds of figure a study can ask for in its spec (`figures:`).
public enum FigureKind: String, ConfigChoice {
    /// One summarised column of runs.csv: per group the mean, 95% interval and every seed, one row each.
    case groups
    /// A pattern of summarised columns, one per benchmark (`eval/b*/accuracy:final`): groups × benchmarks bars.
    case benchmarks
    /// A logged metric over steps: the mean curve per group with a band across seeds.
    case curve
}

/// One figure of a study's curated set: `{groups: COLUMN}`, `{benchmarks: PATTERN}` or `{curve: METRIC}`;
/// a curve may add `x: METRIC` to plot against another logged metric instead of the step.
public struct FigureRequest: Sendable, Equatable {
    public var kind: FigureKind
    /// A runs.csv column, a pattern of columns (`*`), or a metric name, by kind.
    public var of: String
    /// A curve's x axis: a metric logged at the same steps (`data/rollouts`, `data/flops`: what a run has
    /// drawn or spent so far, so that methods that draw data at different rates per update are compared at
    /// equal data); nil: the step.
    public var x: String?
    public init(kind: FigureKind, of: String, x: String? = nil) { self.kind = kind; self.of = of; self.x = x }

    /// The spec/study.json form: a one-key mapping (two keys with a curve's `x`).
    public var tree: ConfigValue {
        .object([(kind.rawValue, .string(of))] + (x.map { [("x", ConfigValue.string($0))] } ?? []))
    }

    /// Reads `{kind: text}` or `{curve: text, x: text}`; `path` names the spec entry in errors.
    static func parse(_ v: ConfigValue, at path: String, _ r: SpecReader) throws -> FigureRequest {
        let pairs = try r.mapping(v, at: path, allowed: FigureKind.names + ["x"])
        let kinds = pairs.filter { $0.0 != "x" }
        guard kinds.count == 1, let (k, value) = kinds.first else {
            throw r.invalid(at: path, "a figure is one key of \(FigureKind.names.joined(separator: ", "))", fix: "write e.g. '- groups: eval/mean_accuracy:final'")
        }
        let kind = try FigureKind.parse(k, what: path)
        let x = try pairs.first { $0.0 == "x" }.map { try r.string($0.1, at: path + ".x") }
        if x != nil, kind != .curve {
            throw r.invalid(at: path + ".x", "x sets a curve's horizontal axis; a \(kind.rawValue) figure has none", fix: "remove x, or draw a curve: '- {curve: METRIC, x: data/rollouts}'")
        }
        return FigureRequest(kind: kind, of: try r.string(value, at: path + "." + k), x: x)
    }

    /// Reads the study.json form (already checked when the spec was parsed).
    static func fromTree(_ v: ConfigValue) -> FigureRequest? {
        guard let pairs = v.objectPairs, let (k, value) = pairs.first, let kind = FigureKind(rawValue: k), case let .string(of) = value else { return nil }
        var x: String? = nil
        if let (_, xv) = pairs.first(where: { $0.0 == "x" }), case let .string(name) = xv { x = name }
        return FigureRequest(kind: kind, of: of, x: x)
    }
}

/// The range a metric's values can take, so that no interval in a figure or pivot table claims values a
/// metric cannot have (a t-interval over two seeds of an accuracy reaches below 0).
///
/// Rates and accuracies (names ending in accuracy, _rate, frac…, and the toy's fit and retention) lie in
/// [0, 1], and so do their final / min / max / mean_last / auc summaries and their peak drop; their
/// backward transfer (final − first) lies in [−1, 1]. NLLs and lengths are ≥ 0. Everything else is unbounded.
public enum MetricRange {
    public static func bounds(column: String) -> ClosedRange<Double>? {
        let parts = column.split(separator: ":", maxSplits: 1).map(String.init)
        let metric = parts[0], how = parts.count > 1 ? parts[1] : "final"
        let leaf = metric.split(separator: "/").last.map(String.init) ?? metric
        let unit = leaf.hasSuffix("accuracy") || leaf.hasPrefix("accuracy_") || leaf.hasSuffix("_rate") || leaf.hasPrefix("frac") || leaf.hasPrefix("clip_frac")
            || metric == "eval/toy/fit" || metric == "eval/toy/retention"
        // Negative log-likelihoods and lengths are ≥ 0 (no upper bound).
        if !unit && (leaf.hasSuffix("nll") || leaf.hasSuffix("_length")) {
            return ["final", "max", "min", "auc"].contains(how) || how.hasPrefix("mean_last") || how.hasPrefix("mean_first") ? 0...Double.infinity : nil
        }
        guard unit else { return nil }
        switch how {
        case "bwt": return -1...1
        case "drop_step": return nil
        default: return 0...1
        }
    }

    /// `[low, high]` clipped to the column's range (nil stays nil).
    public static func clip(_ low: Double?, _ high: Double?, column: String) -> (Double?, Double?) {
        guard let b = bounds(column: column) else { return (low, high) }
        return (low.map { min(max($0, b.lowerBound), b.upperBound) }, high.map { min(max($0, b.lowerBound), b.upperBound) })
    }

    /// "b1 indist accuracy (final)" for "eval/b1_indist/accuracy:final": a readable axis label (the
    /// eval/ and theory/ namespaces say nothing on a figure of one study).
    public static func axisLabel(_ column: String) -> String {
        let parts = column.split(separator: ":", maxSplits: 1).map(String.init)
        var name = parts[0]
        for prefix in ["eval/", "theory/"] where name.hasPrefix(prefix) { name.removeFirst(prefix.count) }
        name = name.replacingOccurrences(of: "/", with: " ").replacingOccurrences(of: "_", with: " ")
        guard parts.count > 1 else { return name }
        let how = parts[1]
        let text: String
        switch how {
        case "final": text = "final"
        case "auc": text = "mean over steps"
        case "max": text = "max"
        case "min": text = "min"
        case "peak_drop": text = "peak − final"
        case "bwt": text = "final − first"
        case "drop_step": text = "step of largest drop"
        default:
            text = how.hasPrefix("mean_last") ? "mean of last \(how.dropFirst(9))"
                : how.hasPrefix("mean_first") ? "mean of first \(how.dropFirst(10))" : how
        }
        return "\(name) (\(text))"
    }
}
