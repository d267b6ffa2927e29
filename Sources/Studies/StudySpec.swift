import BridgeSupport

/// A declarative study: one question, one run kind, a base config, axes to vary and seeds to repeat.
///
/// Parsed strictly from YAML (`StudySpec.parse`); `effective(preset:overrides:)` folds a preset and
/// command-line overrides in, and `StudyExpansion` turns the result into runs with stable ids.
public struct StudySpec: Sendable {
    /// Folder-safe study name (results/<name>[-<preset>]).
    public var name: String
    /// The one-line question the study answers (shown by `bridge study list`).
    public var question: String
    /// The run kind (`train`, `theory`, `toy_quadratic`): selects the executor and its config schema.
    public var kind: String
    /// Mapping passed to the kind's `resolve` for every run, before axis values and the seed are set.
    public var base: ConfigValue
    /// The parameters that vary between runs.
    public var axes: Axes
    /// The seeds every axis point is repeated with (written into the run config key `seed`).
    public var seeds: [Int]
    /// Which metrics to summarise per run, and how.
    public var metrics: [MetricSummary]
    /// Patterns of skill metrics whose forgetting is measured (peak drop, backward transfer, drop step).
    public var forgetting: [String]
    /// Reference of paired differences (paired.csv): a method, or a point of varied values; nil = none.
    public var compareTo: StudyReference?
    /// The figures `bridge study export` draws (`figures:`); empty: a small default set. Not part of the
    /// hash: figures are drawn from the CSVs, so changing them never invalidates finished runs.
    public var figures: [FigureRequest] = []
    /// Defaults of `bridge study submit` (`slurm:`; a preset's `slurm:` overrides them). Not part of the
    /// hash either: where runs execute does not change what they compute.
    public var slurm = SlurmOptions()
    /// Config key the seed is written to ("" = auto: `seed` if the kind's config has it, else `run.seed`).
    public var seedKey = ""
    /// Config key of the method name shown in runs.csv's method column ("" = auto: `method` or `run.method`).
    public var methodKey = ""
    /// Named patches (`quick`, `paper`), in file order.
    public var presets: [Preset]
    /// The preset folded in by `effective`, "" if none.
    public var preset: String = ""
    /// The command-line overrides folded in by `effective`.
    public var overrides: [String] = []
    /// The file the spec came from and the line of every key path (for errors found later, at expansion).
    public var source = ""
    public var lines: [String: Int] = [:]

    public init(name: String, question: String, kind: String, base: ConfigValue = .object([]), axes: Axes = Axes(),
                seeds: [Int] = [0], metrics: [MetricSummary] = [], forgetting: [String] = [], presets: [Preset] = []) {
        self.name = name; self.question = question; self.kind = kind; self.base = base; self.axes = axes
        self.seeds = seeds; self.metrics = metrics; self.forgetting = forgetting; self.presets = presets
    }

    /// The keys a spec may have at the top level.
    public static let topKeys = ["name", "question", "kind", "base", "axes", "seeds", "seed_key", "method_key", "metrics", "forgetting", "compare_to", "figures", "slurm", "presets"]
}

/// One varied key (a dotted path into the run config) and the values it takes.
public struct AxisValues: Sendable, Equatable {
    public var key: String
    public var values: [ConfigValue]
    public init(key: String, values: [ConfigValue]) { self.key = key; self.values = values }
}

/// The varied parameters: every run is one point of grid × each zip group × one explicit run entry.
public struct Axes: Sendable, Equatable {
    /// Cartesian product over every key's values (first key outermost).
    public var grid: [AxisValues] = []
    /// Groups of keys varied together: within a group all value lists have the same length and the
    /// i-th values go together; groups multiply with each other and with the grid.
    public var zip: [[AxisValues]] = []
    /// Explicit points (each a list of key -> value); multiplies with grid and zip. Empty means one empty point.
    public var runs: [[AxisValue]] = []

    public init(grid: [AxisValues] = [], zip: [[AxisValues]] = [], runs: [[AxisValue]] = []) {
        self.grid = grid; self.zip = zip; self.runs = runs
    }

    public static let keys = ["grid", "zip", "runs"]

    /// Every varied key in order of first appearance (grid, then zip groups, then explicit runs).
    public var variedKeys: [String] {
        var out: [String] = []
        for k in grid.map(\.key) + zip.flatMap({ $0.map(\.key) }) + runs.flatMap({ $0.map(\.key) }) where !out.contains(k) {
            out.append(k)
        }
        return out
    }
}

/// One key -> value assignment of an explicit run.
public struct AxisValue: Sendable, Equatable {
    public var key: String
    public var value: ConfigValue
    public init(key: String, value: ConfigValue) { self.key = key; self.value = value }
}

/// How one metric (or glob pattern of metrics, `*` matching any characters) is summarised per run.
public struct MetricSummary: Sendable, Equatable {
    public var metric: String
    public var how: [Aggregate]
    public init(metric: String, how: [Aggregate]) { self.metric = metric; self.how = how }
    public static let keys = ["name", "how", "last_k", "first_k"]
}

/// One way of reducing a metric's curve (step, value) to a number.
public enum Aggregate: Sendable, Equatable {
    /// The value at the last logged step.
    case final
    /// The largest value (best for accuracies, rewards).
    case max
    /// The smallest value (best for losses).
    case min
    /// The mean of the last k logged values.
    case meanLast(Int)
    /// The mean of the first k logged values: where a curve starts (e.g. rl/frac_zero_std at the start of
    /// RL, which for cold_start is after its SFT stage: rl/ metrics are logged on RL updates only).
    case meanFirst(Int)
    /// Trapezoidal area under the curve divided by the step span: the time-averaged value.
    case auc

    public static let names = ["final", "max", "min", "mean_last", "mean_first", "auc"]

    /// Column suffix in runs.csv: `<metric>:<label>`.
    public var label: String {
        switch self {
        case .final: return "final"
        case .max: return "max"
        case .min: return "min"
        case let .meanLast(k): return "mean_last\(k)"
        case let .meanFirst(k): return "mean_first\(k)"
        case .auc: return "auc"
        }
    }
}

/// A named patch of a spec: `base` is deep-merged, `axes.grid` entries replace or add keys,
/// `axes.zip` / `axes.runs` replace, `seeds` replaces.
public struct Preset: Sendable {
    public var name: String
    public var base: ConfigValue = .object([])
    public var grid: [AxisValues] = []
    public var zip: [[AxisValues]]? = nil
    public var runs: [[AxisValue]]? = nil
    public var seeds: [Int]? = nil
    /// Overrides the spec's `slurm:` options for this preset (e.g. a longer time per run for `paper`).
    public var slurm = SlurmOptions()
    public init(name: String) { self.name = name }
    public static let keys = ["base", "axes", "seeds", "slurm"]
}
