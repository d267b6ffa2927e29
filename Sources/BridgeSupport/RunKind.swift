import Foundation

/// One kind of run the study runner can execute: "train" (Training) or "theory" (Theory).
///
/// Every run, whatever its kind, is a resolved JSON config executed by `bridge run --config FILE --out DIR`
/// (in a worker process), writing DIR/config.json, DIR/metrics.csv (long: run_id, step, metric, value)
/// and DIR/result.json (`RunResult`). Kinds register in the CLI; Studies only sees this protocol.
public protocol RunKind: Sendable {
    /// The `kind:` value that selects this executor in a study spec or run config.
    var name: String { get }
    /// Checks a config tree strictly (unknown keys, wrong types) and returns it with every default filled,
    /// so that equal runs have equal resolved configs and therefore equal run ids.
    func resolve(_ config: ConfigValue, source: String) throws -> ConfigValue
    /// Executes one run in this process. Must be deterministic given the resolved config (BLAS pinned to
    /// one thread by the caller), resumable from its own checkpoints in `outDir`, and must write
    /// metrics.csv and result.json atomically. Returns the result it wrote.
    func execute(resolved: ConfigValue, runId: String, outDir: URL, progress: RunProgress?) throws -> RunResult
    /// What this run shares with other runs and needs before it starts (the train kind's pretrained base
    /// model): a cluster submission builds each distinct one once, before its job array, instead of
    /// letting every array task wait for whichever task builds it. Default: nothing.
    func sharedArtifacts(resolved: ConfigValue) throws -> [SharedArtifact]
    /// Builds this run's shared artifacts that are not built yet (`bridge study task DIR ID --shared`);
    /// returns one line per artifact saying what it did. Default: nothing to build.
    func buildSharedArtifacts(resolved: ConfigValue) throws -> [String]
}

/// A product that several runs share, built once (`RunKind.sharedArtifacts`).
public struct SharedArtifact: Sendable, Equatable {
    /// What identifies it across runs: two runs with equal ids need the same artifact (for the train
    /// kind, the absolute path of the base-model cache entry).
    public var id: String
    /// One line for people: what it is and where it lives.
    public var summary: String
    /// True when it exists already (nothing to build).
    public var isBuilt: Bool

    public init(id: String, summary: String, isBuilt: Bool) {
        self.id = id; self.summary = summary; self.isBuilt = isBuilt
    }
}

extension RunKind {
    public func sharedArtifacts(resolved: ConfigValue) throws -> [SharedArtifact] { [] }
    public func buildSharedArtifacts(resolved: ConfigValue) throws -> [String] { [] }
}

/// Progress callback for terminals: (step, total steps, short status text).
public typealias RunProgress = @Sendable (Int, Int, String) -> Void

/// The final record of one run (result.json). `final` holds the summarised metrics by name; timings are
/// kept apart so that everything else is byte-comparable across machines and reruns.
public struct RunResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case finished, diverged, failed }
    public var runId: String
    public var status: Status
    public var error: String?
    /// Final values of the run's metrics (metric name -> value), e.g. "eval/mean_accuracy".
    public var final: [String: Double]
    /// Wall time, tokens/s, peak memory...: never compared byte for byte.
    public var timings: [String: Double]
    /// SHA-256 of the metrics.csv written with this result (absent in older results): a run is complete
    /// only while its metrics.csv is the one its result describes (RunRecord, TrainRunner check it).
    public var metricsSHA256: String?

    public init(runId: String, status: Status, error: String? = nil, final: [String: Double], timings: [String: Double] = [:]) {
        self.runId = runId; self.status = status; self.error = error; self.final = final; self.timings = timings
    }

    /// Whether `csvText` is the metrics.csv this result was written with (true when no hash is recorded).
    public func matchesMetrics(_ csvText: String) -> Bool { metricsSHA256.map { $0 == SHA256.hex(csvText) } ?? true }

    enum CodingKeys: String, CodingKey { case runId = "run_id", status, error, final, timings, metricsSHA256 = "metrics_sha256" }

    /// result.json text: sorted keys, shortest round-trip numbers (non-finite values as strings).
    public func jsonText() throws -> String { try ConfigValue.encode(self).prettyJSON }

    public static func read(_ url: URL) throws -> RunResult {
        let text = try AtomicFile.readText(url, what: "result.json")
        return try ConfigValue.parseYAML(text, source: url.path).value.decode(RunResult.self, source: url.path)
    }
}

/// The timings every run reports in result.json's `timings` (and timings.csv's first columns), defined
/// once so that runs, studies, `bridge train` and every kind say the same thing with the same words:
/// one wall time, one peak memory, one throughput. Kinds may add their own keys beside them.
public enum RunTimings {
    /// Wall seconds of the run's own work: the training loop with its evaluations, summed over the
    /// segments of a resumed run (train); the experiment (theory); the loop (toy). Setup that is not the
    /// run's cost, such as pretraining a shared base model on a cold cache, is excluded. `bridge run`
    /// fills it with the process's wall time when a kind does not measure it.
    public static let wallSeconds = "wall_s"
    /// Peak resident memory of the process that ran the run, in MB (VmHWM of /proc/self/status, read
    /// when the result is written; one reader: `peakResidentMegabytes`).
    public static let peakRSSMB = "peak_rss_mb"
    /// Throughput: tokens / wall_s (train: token positions through forward passes, backward passes and
    /// sampling steps). Kinds without tokens leave it out.
    public static let tokensPerSecond = "tokens_per_s"
    /// Train kind extras: the token count behind `tokens_per_s`, and mean seconds per update of the last
    /// process segment (evaluation excluded).
    public static let tokens = "tokens"
    public static let stepSeconds = "step_s"
    /// The three columns every timings.csv starts with (after run_id and status).
    public static let fixed = [wallSeconds, tokensPerSecond, peakRSSMB]

    /// Names written before this vocabulary (result.json files of older runs): read under the new names.
    public static let legacy: [String: [String]] = [
        wallSeconds: ["perf/wall_s", "wall_seconds"], tokensPerSecond: ["perf/tokens_per_s", "tokens_per_second", "perf/tokens_per_second"],
        peakRSSMB: ["perf/peak_rss_mb"], tokens: ["perf/tokens"], stepSeconds: ["perf/step_s"],
    ]

    /// `timings` with legacy names mapped to the current ones (a current name wins over a legacy one).
    public static func normalised(_ timings: [String: Double]) -> [String: Double] {
        var out = timings
        for (name, olds) in legacy {
            for old in olds { if let v = timings[old] { if out[name] == nil { out[name] = v }; out[old] = nil } }
        }
        return out
    }

    /// Peak resident memory of this process in MB: VmHWM of /proc/self/status (getrusage elsewhere).
    public static func peakResidentMegabytes() -> Double {
        if let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
                return (line.split(separator: " ").compactMap { Double($0) }.first ?? 0) / 1024
            }
        }
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Double(usage.ru_maxrss) / 1_048_576
        #endif
    }
}

/// The long-format metric log of one run: rows of (step, metric, value) in the order they were logged.
/// It is flushed whole and atomically (at checkpoints and at the end), so a killed run never leaves a
/// torn file, and a resumed run that reloads it and continues writes the same bytes as an uninterrupted one.
public struct MetricLog: Sendable {
    public let runId: String
    public private(set) var rows: [(step: Int, metric: String, value: Double)] = []

    public init(runId: String) { self.runId = runId }

    public static let columns = ["run_id", "step", "metric", "value"]

    /// Logs one value. Non-finite values are a programming or divergence error the caller must handle
    /// first (status `diverged`); they are refused here so that no NaN reaches a CSV silently.
    public mutating func log(step: Int, _ metric: String, _ value: Double) {
        precondition(value.isFinite, "non-finite value \(value) for metric \(metric) at step \(step): check with isFinite and stop the run as diverged before logging")
        rows.append((step, metric, value))
    }

    /// The last value of every metric (what result.json's `final` holds for runs that log this way).
    public static func lastValues(_ log: MetricLog) -> [String: Double] {
        var final: [String: Double] = [:]
        for r in log.rows { final[r.metric] = r.value }
        return final
    }

    /// Drops rows after `step` (resume from a checkpoint taken at `step`).
    public mutating func truncate(after step: Int) { rows.removeAll { $0.step > step } }

    public var csv: String {
        var t = CSVTable(columns: MetricLog.columns)
        for r in rows { t.append([.text(runId), .integer(r.step), .text(r.metric), .number(r.value)]) }
        return t.text
    }

    public func write(to url: URL) throws { try AtomicFile.write(csv, to: url) }

    /// Reads a metrics.csv written by `write` (for resume and collection).
    public static func read(_ url: URL, runId: String) throws -> MetricLog {
        let text = try AtomicFile.readText(url, what: "metrics.csv")
        let (header, rows) = CSVTable.parse(text)
        guard header == columns else {
            throw ConfigError.invalid(source: url.path, path: "header", line: 1, message: "unexpected columns \(header)", fix: "delete the run folder to recompute it")
        }
        var log = MetricLog(runId: runId)
        for (i, r) in rows.enumerated() {
            guard r.count == 4, let step = Int(r[1]), let value = Double(r[3]) else {
                throw ConfigError.invalid(source: url.path, path: "row", line: i + 2, message: "malformed row \(r)", fix: "delete the run folder to recompute it")
            }
            log.rows.append((step, r[2], value))
        }
        return log
    }
}
