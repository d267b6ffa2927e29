import BridgeSupport
import Foundation

/// One `bridge study submit` of a study folder: the jobs it created and the runs behind each array task.
/// Kept in DIR/slurm/submissions.json (oldest first), which `status` reads to show the Slurm state of
/// every run and the next `submit` reads to refuse while an earlier submission still runs.
public struct SlurmSubmission: Sendable, Equatable {
    /// 1, 2, … within the folder.
    public var number: Int
    public var submittedAt: Date
    /// The base-model job array (nil when every shared artifact was built already): task i builds the
    /// shared artifacts of run `setupRuns[i]`.
    public var setupJob: String?
    public var setupRuns: [String]
    /// The run job array: task i executes run `runs[i]`.
    public var runsJob: String
    public var runs: [String]
    /// The job that collects the CSVs and completes manifest.json when the run array has ended.
    public var collectJob: String
    public var options: SlurmOptions

    public init(number: Int, submittedAt: Date, setupJob: String?, setupRuns: [String], runsJob: String, runs: [String],
                collectJob: String, options: SlurmOptions) {
        self.number = number; self.submittedAt = submittedAt; self.setupJob = setupJob; self.setupRuns = setupRuns
        self.runsJob = runsJob; self.runs = runs; self.collectJob = collectJob; self.options = options
    }

    /// DIR/slurm: the scripts, submissions.json and logs/.
    public static func folder(_ dir: URL) -> URL { dir.appendingPathComponent("slurm") }
    static let fileName = "submissions.json"

    /// The job ids of this submission, setup first.
    public var jobs: [String] { (setupJob.map { [$0] } ?? []) + [runsJob, collectJob] }

    var tree: ConfigValue {
        .object([
            ("number", .number(Double(number))),
            ("submitted_at", .string(Manifest.iso(submittedAt))),
            ("setup_job", setupJob.map { .string($0) } ?? .null),
            ("setup_runs", .array(setupRuns.map { .string($0) })),
            ("runs_job", .string(runsJob)),
            ("runs", .array(runs.map { .string($0) })),
            ("collect_job", .string(collectJob)),
            ("options", options.tree),
        ])
    }

    /// The manifest's `executor` entry for this submission.
    public var executorTree: ConfigValue {
        .object([
            ("name", .string("slurm")), ("submission", .number(Double(number))),
            ("jobs", .object([("setup", setupJob.map { .string($0) } ?? .null), ("runs", .string(runsJob)), ("collect", .string(collectJob))])),
            ("array_tasks", .number(Double(runs.count))),
            ("options", options.tree),
        ])
    }

    static func from(_ t: ConfigValue) -> SlurmSubmission? {
        guard case let .number(n)? = t["number"], case let .string(at)? = t["submitted_at"], let date = Manifest.parseISO(at),
              case let .string(runsJob)? = t["runs_job"], case let .array(runs)? = t["runs"],
              case let .string(collect)? = t["collect_job"] else { return nil }
        var setup: String? = nil
        if case let .string(s)? = t["setup_job"] { setup = s }
        var setupRuns: [String] = []
        if case let .array(a)? = t["setup_runs"] { setupRuns = a.map(ConfigPath.cellText) }
        var options = SlurmOptions()
        if let o = t["options"] {
            if case let .string(v)? = o["partition"] { options.partition = v }
            if case let .string(v)? = o["time"] { options.time = v }
            if case let .number(v)? = o["cpus_per_task"] { options.cpusPerTask = Int(v) }
            if case let .string(v)? = o["mem"] { options.memory = v }
            if case let .string(v)? = o["account"] { options.account = v }
            if case let .string(v)? = o["qos"] { options.qos = v }
            if case let .number(v)? = o["max_running"] { options.maxRunning = Int(v) }
            if case let .array(v)? = o["sbatch_args"] { options.sbatchArgs = v.map(ConfigPath.cellText) }
        }
        return SlurmSubmission(number: Int(n), submittedAt: date, setupJob: setup, setupRuns: setupRuns, runsJob: runsJob,
                               runs: runs.map(ConfigPath.cellText), collectJob: collect, options: options)
    }

    /// Every submission recorded in DIR (empty when there is none or the file is unreadable).
    public static func all(in dir: URL) -> [SlurmSubmission] {
        let url = folder(dir).appendingPathComponent(fileName)
        guard let text = try? String(contentsOf: url, encoding: .utf8),
              case let .array(items)? = (try? ConfigValue.parseYAML(text, source: url.path))?.value else { return [] }
        return items.compactMap(from)
    }

    /// The number the next submission of DIR gets.
    static func nextNumber(in dir: URL) -> Int { (all(in: dir).map(\.number).max() ?? 0) + 1 }

    /// Appends `submission` to DIR/slurm/submissions.json (atomically).
    static func append(_ submission: SlurmSubmission, in dir: URL) throws {
        let list = all(in: dir) + [submission]
        try AtomicFile.write(ConfigValue.array(list.map(\.tree)).prettyJSON, to: folder(dir).appendingPathComponent(fileName))
    }
}
