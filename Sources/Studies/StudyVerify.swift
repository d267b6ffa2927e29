import BridgeSupport
import Foundation
import TensorCore

/// `bridge study verify DIR`: recomputes runs of a committed study folder (docs/results/<study>, CSVs
/// only) from the spec its manifest recorded, and compares each run's rows of metrics.csv and runs.csv
/// with the committed ones byte for byte. This is the check behind "a paper preset rerun on a fresh
/// clone reproduces the committed CSVs": summary.csv and paired.csv are functions of those rows.
public struct StudyVerification {
    /// The committed folder.
    public let committed: URL
    public let plan: StudyPlan
    /// The pipeline that recomputes into the scratch folder (its `dir`).
    public let pipeline: StudyPipeline
    /// Where the committed study was computed.
    public let recorded: Manifest.RecordedNumerics

    /// One run's comparison.
    public struct Outcome {
        public var runId: String
        public var description: String
        public var status: String
        public var rows: Int
        /// nil when identical; else the first differing line, committed then recomputed.
        public var difference: (committed: String, recomputed: String)?
    }

    /// Reads the committed folder's study.json and manifest.json and expands the recorded spec with this
    /// code; refuses a folder whose recorded spec no longer expands to the committed study.
    public init(committed: URL, kinds: [any RunKind], out: String?) throws {
        self.committed = committed
        plan = try StudyPlan.read(from: committed)
        let url = committed.appendingPathComponent(Manifest.fileName)
        func refuse(_ message: String, _ fix: String) -> ConfigError {
            .invalid(source: committed.path, path: Manifest.fileName, line: nil, message: message, fix: fix)
        }
        guard let text = try? AtomicFile.readText(url, what: Manifest.fileName),
              let tree = try? ConfigValue.parseYAML(text, source: url.path).value,
              case let .string(specText)? = tree["spec_text"], case let .string(source)? = tree["spec_source"] else {
            throw refuse("no readable manifest.json with the spec text", "verify a folder written by `bridge study run` (it records the spec)")
        }
        guard FileManager.default.fileExists(atPath: committed.appendingPathComponent("metrics.csv").path) else {
            throw refuse("the folder has no metrics.csv to compare with", "verify a folder whose metrics.csv was committed")
        }
        var overrides: [String] = []
        if case let .array(o)? = plan.specTree["overrides"] { overrides = o.map(ConfigPath.cellText) }
        let p = try StudyPipeline(specText: specText, source: source + " (as recorded in \(url.path))",
                                  preset: plan.preset.isEmpty ? nil : plan.preset, overrides: overrides, kinds: kinds,
                                  out: out ?? "results/verify-" + committed.lastPathComponent)
        guard p.spec.hash == plan.specHash else {
            let version = ConfigPath.cellText(tree["code_version"] ?? .null)
            throw refuse("the recorded spec expands to another study with this code (hash \(p.spec.hash.prefix(12)) ≠ \(plan.specHash.prefix(12))): a default or a key of the run config changed since the study was run",
                         "check out the commit the manifest names (code_version \(version)) to verify it, or rerun the study")
        }
        pipeline = p
        recorded = Manifest.RecordedNumerics(manifest: tree)
    }

    /// `k` runs spread evenly over the plan (the first, then every n/k-th), or all when k ≥ n.
    public func sample(_ k: Int) -> [String] {
        let n = plan.runs.count
        guard k < n else { return plan.runs.map(\.runId) }
        return (0..<max(1, k)).map { plan.runs[$0 * n / max(1, k)].runId }
    }

    /// Recomputes `runIds` into the scratch folder (runs already complete there are kept) and compares.
    public func run(_ runIds: [String], executor: StudyExecutor) throws -> [Outcome] {
        let known = plan.runs.map(\.runId)
        for id in runIds where !known.contains(id) {
            throw ConfigError.invalid(source: committed.path, path: StudyPlan.fileName, line: nil,
                                      message: "run '\(id)' is not a run of this study" + (NearestKey.find(id, in: known).map { " (did you mean '\($0)'?)" } ?? ""),
                                      fix: "name a run_id of its runs.csv")
        }
        _ = try pipeline.execute(executor, force: false, only: Set(runIds))
        // Each CSV read once: its rows by run id (the first field), in file order.
        func rowsByRun(_ dir: URL) throws -> [String: [String]] {
            var out: [String: [String]] = [:]
            for file in ["metrics.csv", "runs.csv"] {
                for line in try AtomicFile.readText(dir.appendingPathComponent(file), what: file).split(separator: "\n") {
                    out[String(line.prefix { $0 != "," }), default: []].append(String(line))
                }
            }
            return out
        }
        let recomputed = pipeline.dir
        let committedRows = try rowsByRun(committed), recomputedRows = try rowsByRun(recomputed)
        return runIds.map { id in
            let index = known.firstIndex(of: id)!
            let run = plan.runs[index]
            let description = (zip(plan.varied, run.values).map { "\($0)=\($1)" } + ["seed=\(run.seed)"]).joined(separator: ", ")
            let a = committedRows[id] ?? [], b = recomputedRows[id] ?? []
            let status = RunRecord.read(dir: recomputed, runId: id).status
            var difference: (String, String)?
            if a != b {
                let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
                difference = (i < a.count ? a[i] : "(no more rows)", i < b.count ? b[i] : "(no more rows)")
            }
            return Outcome(runId: id, description: description, status: status, rows: a.count, difference: difference)
        }
    }
}
