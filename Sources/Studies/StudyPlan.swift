import BridgeSupport
import Foundation

/// What a study folder holds (DIR/study.json): the effective spec, its hash and the expanded runs with
/// their varied values. `collect` and `status` read only this and the run folders, so they need neither
/// the YAML file nor the run kinds.
public struct StudyPlan: Sendable {
    public var name: String
    public var question: String
    public var kind: String
    public var preset: String
    /// SHA-256 of the effective spec's canonical JSON (`StudySpec.hash`).
    public var specHash: String
    /// The effective spec as a tree (`StudySpec.tree`).
    public var specTree: ConfigValue
    public var metrics: [MetricSummary]
    public var forgetting: [String]
    /// Reference of paired.csv (nil = none).
    public var reference: StudyReference?
    /// The spec's curated figures (empty: the default set of `NotebookExport`).
    public var figures: [FigureRequest] = []
    /// Varied keys (axis keys in order of first appearance; never `seed`).
    public var varied: [String]
    /// Config key of the method (`method`, `run.method`; "" if none).
    public var methodKey: String
    /// True when the runs' configs have a string at `methodKey` (then runs.csv has a method column).
    public var hasMethod: Bool
    public var runs: [Run]

    public struct Run: Sendable, Equatable {
        public var runId: String
        public var seed: Int
        /// Top-level `method` of the resolved config ("" if none).
        public var method: String
        /// Value of every varied key in the resolved config, as CSV text, aligned with `varied`.
        public var values: [String]
    }

    public static let fileName = "study.json"

    /// Builds the plan of an effective spec and its expansion.
    public init(spec: StudySpec, runs planned: [PlannedRun]) {
        name = spec.name; question = spec.question; kind = spec.kind; preset = spec.preset
        specHash = spec.hash; specTree = spec.tree; metrics = spec.metrics; forgetting = spec.forgetting
        reference = spec.compareTo
        figures = spec.figures
        varied = spec.axes.variedKeys
        methodKey = spec.methodKey
        let mk = spec.methodKey
        hasMethod = !mk.isEmpty && planned.contains { if case .string? = ConfigPath.get($0.config, mk) { return true }; return false }
        runs = planned.map { p in
            let values = spec.axes.variedKeys.map { key in
                ConfigPath.get(p.config, key).map(ConfigPath.cellText)
                    ?? p.point.last(where: { $0.key == key }).map { ConfigPath.cellText($0.value) } ?? ""
            }
            var method = ""
            if !mk.isEmpty, case let .string(m)? = ConfigPath.get(p.config, mk) { method = m }
            return Run(runId: p.runId, seed: p.seed, method: method, values: values)
        }
    }

    public var tree: ConfigValue {
        .object([
            ("format", .string("bridge-study-1")),
            ("spec_hash", .string(specHash)),
            ("spec", specTree),
            ("varied", .array(varied.map { .string($0) })),
            ("has_method", .bool(hasMethod)), ("method_key", .string(methodKey)),
            ("runs", .array(runs.map { r in
                .object([("run_id", .string(r.runId)), ("seed", .number(Double(r.seed))), ("method", .string(r.method)),
                         ("values", .array(r.values.map { .string($0) }))])
            })),
        ])
    }

    public func write(to dir: URL) throws {
        try AtomicFile.write(tree.prettyJSON, to: dir.appendingPathComponent(StudyPlan.fileName))
    }

    /// Reads DIR/study.json, with a fix-it error when DIR is not a study folder.
    public static func read(from dir: URL) throws -> StudyPlan {
        let url = dir.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ConfigError.invalid(source: dir.path, path: fileName, line: nil, message: "not a study folder (no \(fileName))",
                                      fix: "pass the folder that `bridge study run` wrote (default results/<study>[-<preset>])")
        }
        let tree = try ConfigValue.parseYAML(try AtomicFile.readText(url, what: fileName), source: url.path).value
        func bad(_ what: String) -> ConfigError {
            .invalid(source: url.path, path: what, line: nil, message: "malformed study.json", fix: "rerun `bridge study run` with the same spec to rewrite it")
        }
        guard let spec = tree["spec"], case let .string(hash)? = tree["spec_hash"],
              case let .array(varied)? = tree["varied"], case let .bool(hasMethod)? = tree["has_method"],
              case let .array(runs)? = tree["runs"] else { throw bad("top level") }
        var plan = StudyPlan(empty: ())
        plan.specTree = spec; plan.specHash = hash; plan.hasMethod = hasMethod
        plan.methodKey = ConfigPath.cellText(tree["method_key"] ?? .null)
        plan.varied = varied.map(ConfigPath.cellText)
        plan.name = ConfigPath.cellText(spec["name"] ?? .null)
        plan.question = ConfigPath.cellText(spec["question"] ?? .null)
        plan.kind = ConfigPath.cellText(spec["kind"] ?? .null)
        plan.preset = ConfigPath.cellText(spec["preset"] ?? .null)
        if case let .array(ms)? = spec["metrics"] {
            plan.metrics = try ms.map { m in
                guard case let .string(name)? = m["name"], case let .array(how)? = m["how"] else { throw bad("spec.metrics") }
                return MetricSummary(metric: name, how: try how.map { h in
                    guard let a = Aggregate(label: ConfigPath.cellText(h)) else { throw bad("spec.metrics.how") }
                    return a
                })
            }
        }
        if case let .array(fs)? = spec["forgetting"] { plan.forgetting = fs.map(ConfigPath.cellText) }
        if let c = spec["compare_to"] {
            guard let r = StudyReference.fromTree(c) else { throw bad("spec.compare_to") }
            plan.reference = r
        }
        if case let .array(fs)? = spec["figures"] { plan.figures = fs.compactMap(FigureRequest.fromTree) }
        plan.runs = try runs.map { r in
            guard case let .string(id)? = r["run_id"], case let .number(seed)? = r["seed"], case let .string(method)? = r["method"],
                  case let .array(values)? = r["values"], values.count == plan.varied.count else { throw bad("runs") }
            return Run(runId: id, seed: Int(seed), method: method, values: values.map(ConfigPath.cellText))
        }
        return plan
    }

    private init(empty: Void) {
        name = ""; question = ""; kind = ""; preset = ""; specHash = ""; specTree = .null
        metrics = []; forgetting = []; reference = nil; varied = []; methodKey = ""; hasMethod = false; runs = []
    }

    /// The folder of one run.
    public static func runDir(_ dir: URL, _ runId: String) -> URL {
        dir.appendingPathComponent("runs").appendingPathComponent(runId)
    }
}

extension Aggregate {
    /// Inverse of `label` ("final", "max", "min", "auc", "mean_last<k>", "mean_first<k>").
    public init?(label: String) {
        switch label {
        case "final": self = .final
        case "max": self = .max
        case "min": self = .min
        case "auc": self = .auc
        default:
            if label.hasPrefix("mean_first"), let k = Int(label.dropFirst("mean_first".count)), k >= 1 { self = .meanFirst(k); return }
            guard label.hasPrefix("mean_last"), let k = Int(label.dropFirst("mean_last".count)), k >= 1 else { return nil }
            self = .meanLast(k)
        }
    }
}
