import BridgeSupport
import Foundation

/// How a study's pending runs are executed (`StudyPipeline.execute`).
public enum StudyExecutor {
    /// Worker processes of the `bridge` executable (or this process, in tests), at most `workers` at a
    /// time; then the CSVs are collected here.
    case local(StudyRunner.Mode, workers: Int, progress: ProgressReporter)
    /// The folder and the run files only: a scheduler of the user's own runs them (`bridge run --config
    /// F/run.json --out F` per folder), then `bridge study collect DIR`.
    case prepareOnly
    /// A Slurm job array over the pending runs, after a job array that builds the missing base models,
    /// followed by a collect job (`SlurmSubmitter`).
    case slurm(SlurmOptions, executable: URL)
}

/// What `StudyPipeline.execute` did.
public enum StudyOutcome {
    /// The CSVs were collected here: every run had been executed (or was complete already).
    case collected(finished: Int, diverged: Int, failed: Int, pending: Int)
    /// The folders of the pending runs, written and not executed.
    case prepared([URL])
    /// The pending runs went to Slurm; its collect job writes the CSVs when they have ended.
    case submitted(SlurmSubmission)
}

/// The one way from a study spec to a study folder, whatever executes the runs: parse and expand the
/// spec, lock the folder, refuse a folder that holds another spec (or an unfinished Slurm submission),
/// write study.json, the run files and manifest.json, hand the pending runs to an executor, collect.
/// `bridge study run`, `bridge study submit`, the Slurm tasks and collect job, and the tests all go
/// through here, so the files of a study do not depend on who ran it.
public struct StudyPipeline {
    public let specText: String
    public let specSource: String
    /// The spec with its preset and overrides folded in.
    public let spec: StudySpec
    public let kind: any RunKind
    public let runs: [PlannedRun]
    /// The study folder (default results/<study>[-<preset>]).
    public let dir: URL

    /// Parses `specText` strictly, folds in `preset` and `overrides`, and expands it with its kind (every
    /// run config resolved, so a bad key or a `compare_to` no run matches fails here, before anything is
    /// written).
    public init(specText: String, source: String, preset: String?, overrides: [String], kinds: [any RunKind], out: String?) throws {
        let parsed = try StudySpec.parse(yaml: specText, source: source)
        let kind = try RunExecution.kind(named: parsed.kind, in: kinds)
        let defaults = try? kind.resolve(.object([]), source: "defaults of \(kind.name)")
        let effective = try parsed.effective(preset: preset, overrides: overrides, defaults: defaults)
        self.specText = specText; self.specSource = source; self.kind = kind; spec = effective
        runs = try StudyExpansion.expand(effective, kind: kind)
        try StudyPlan(spec: effective, runs: runs).checkReference(source: source, line: effective.lines["compare_to"])
        dir = URL(fileURLWithPath: out ?? StudySetup.defaultOutDir(effective))
    }

    /// Reads the spec file first.
    public init(specFile: String, preset: String?, overrides: [String], kinds: [any RunKind], out: String?) throws {
        let text = try AtomicFile.readText(URL(fileURLWithPath: specFile), what: "study spec")
        try self.init(specText: text, source: specFile, preset: preset, overrides: overrides, kinds: kinds, out: out)
    }

    /// Prepares the folder and executes its pending runs with `executor` (only those in `only`, when
    /// given: `bridge study verify` recomputes a sample), after copying those that a folder of `reuse`
    /// has finished (`RunReuse`); `command` is recorded in the manifest.
    public func execute(_ executor: StudyExecutor, force: Bool, only: Set<String>? = nil, reuse: [URL] = [],
                        command: [String] = CommandLine.arguments) throws -> StudyOutcome {
        // A submission that cannot be made leaves the folder as it was.
        if case .slurm = executor, ExternalCommand.find("sbatch") == nil { throw SlurmSubmitter.missing("sbatch") }
        let lock = try StudyLock(dir: dir)
        defer { withExtendedLifetime(lock) {} }
        if case .prepareOnly = executor {} else { try SlurmSubmitter.checkNoActiveSubmission(dir: dir) }
        // Read before this execution's manifest replaces the one naming the finished runs' core and generation.
        let recorded = Manifest.recordedNumerics(in: dir)
        // Runs computed with one kernel generation are not joined by runs of another (checked before the
        // folder is touched).
        if let mismatch = Manifest.kernelsMismatch(recorded) {
            let finished = runs.filter { RunRecord.isComplete(dir: dir, run: $0) }.count
            if finished > 0 && finished < runs.count { throw mismatch }
        }
        for source in reuse {
            let reused = Manifest.recordedNumerics(in: StudyPipeline.absolute(source))
            if let mismatch = Manifest.kernelsMismatch(reused, what: "the --reuse folder") { throw mismatch }
        }
        let unfinished = try StudySetup.prepare(dir: dir, spec: spec, runs: runs, force: force)
        var pending = unfinished.filter { only?.contains($0.runId) ?? true }
        let coreNote = unfinished.count < runs.count ? Manifest.coreChangeNote(recorded) : nil
        var manifest = Manifest(specText: specText, specSource: specSource, specHash: spec.hash, command: command,
                                workers: 0, startedAt: Date())
        manifest.history = Manifest.history(before: dir)
        if !reuse.isEmpty {
            let reused = try RunReuse.copy(pending, from: reuse.map(StudyPipeline.absolute), into: dir)
            let ids = Set(reused.map(\.runId))
            pending.removeAll { ids.contains($0.runId) }
            manifest.reused = reused
        }
        switch executor {
        case .prepareOnly:
            manifest.executor = .object([("name", .string("prepare_only"))])
            try manifest.write(to: dir)
            return .prepared(pending.map { StudyPlan.runDir(dir, $0.runId) })
        case let .local(mode, workers, progress):
            if let coreNote, !pending.isEmpty { FileHandle.standardError.write(Data((coreNote + "\n").utf8)) }
            manifest.workers = workers
            manifest.executor = .object([("name", .string("local")), ("workers", .number(Double(workers)))])
            try manifest.write(to: dir)
            try StudyRunner(dir: dir, mode: mode, workers: workers, progress: progress).run(pending, total: only == nil ? runs.count : pending.count)
            return try StudyPipeline.collect(dir: dir, finishing: &manifest)
        case let .slurm(flags, executable):
            let options = spec.slurm.overridden(by: flags)
            manifest.executor = .object([("name", .string("slurm"))])
            if pending.isEmpty {
                // Nothing to submit: every run is complete, so the CSVs are collected here and now.
                try manifest.write(to: dir)
                return try StudyPipeline.collect(dir: dir, finishing: &manifest)
            }
            let submitter = SlurmSubmitter(dir: StudyPipeline.absolute(dir), workdir: StudyPipeline.absolute(URL(fileURLWithPath: ".")),
                                           executable: executable, options: options, study: spec.name + (spec.preset.isEmpty ? "" : "-" + spec.preset))
            let number = SlurmSubmission.nextNumber(in: dir)
            // The manifest names the submission before its jobs exist, so that its collect job, however
            // soon it runs, recognises the manifest as its own.
            manifest.workers = min(options.maxRunning ?? pending.count, pending.count)
            manifest.executor = .object([("name", .string("slurm")), ("submission", .number(Double(number)))])
            try manifest.write(to: dir)
            let submission = try submitter.submit(pending: pending, kind: kind, number: number)
            manifest.executor = submission.executorTree
            try manifest.write(to: dir)
            return .submitted(submission)
        }
    }

    /// Collects DIR's CSVs and records the end in `manifest`.
    static func collect(dir: URL, finishing manifest: inout Manifest) throws -> StudyOutcome {
        let collector = try Collector(dir: dir)
        try collector.writeAll()
        manifest.finishedAt = Date()
        try manifest.write(to: dir)
        let c = collector.counts
        return .collected(finished: c.finished, diverged: c.diverged, failed: c.failed, pending: c.pending)
    }

    /// `bridge study collect DIR [--submission K]`: rewrites the CSVs from the run folders; the collect
    /// job of Slurm submission K also records the end of the study in manifest.json, unless a later
    /// submission has replaced K there (then that one's collect job will).
    public static func collect(dir: URL, submission: Int? = nil) throws -> Collector {
        let collector = try Collector(dir: dir)
        try collector.writeAll()
        if let submission, var manifest = Manifest.read(from: dir), manifest.executor["submission"] == .number(Double(submission)) {
            manifest.finishedAt = Date()
            try manifest.write(to: dir)
        }
        return collector
    }

    /// What `task` did.
    public enum TaskOutcome {
        case alreadyComplete(status: String)
        case executed(RunResult)
        case builtShared([String])
    }

    /// One run of a prepared folder, as a Slurm array task runs it: the run must be in DIR's study.json;
    /// a run that is complete already is left alone (a requeued or repeated task never recomputes it);
    /// otherwise it runs in its folder under the folder's lock (waiting up to a minute for a cancelled
    /// predecessor to exit). `shared`: build the run's shared artifacts (base model) instead.
    public static func task(dir: URL, runId: String, shared: Bool, kinds: [any RunKind]) throws -> TaskOutcome {
        let plan = try StudyPlan.read(from: dir)
        guard plan.runs.contains(where: { $0.runId == runId }) else {
            throw ConfigError.invalid(source: dir.path, path: runId, line: nil,
                                      message: "run \(runId) is not part of the study in this folder (study.json lists \(plan.runs.count) other runs); the folder was prepared again with another spec after this job was submitted",
                                      fix: "cancel the old jobs (scancel) and submit the study again with `bridge study submit`")
        }
        let folder = StudyPlan.runDir(dir, runId)
        let runFile = folder.appendingPathComponent(RunExecution.runFileName)
        let (kindName, config) = try RunExecution.readRunConfig(runFile)
        let kind = try RunExecution.kind(named: kindName, in: kinds)
        if shared { return .builtShared(try kind.buildSharedArtifacts(resolved: config)) }
        let planned = PlannedRun(runId: runId, seed: 0, point: [], runConfig: .object([("kind", .string(kindName)), ("config", config)]))
        if RunRecord.isComplete(dir: dir, run: planned) { return .alreadyComplete(status: RunRecord.read(dir: dir, runId: runId).status) }
        let lock = try FolderLock(dir: folder, holderCommand: "`bridge run` or `bridge study task`", wait: 60)
        defer { withExtendedLifetime(lock) {} }
        return .executed(try RunExecution.run(configFile: runFile, outDir: folder, kinds: kinds))
    }

    /// `url` made absolute against the current folder (scripts that run elsewhere need full paths).
    static func absolute(_ url: URL) -> URL {
        let path = url.path.hasPrefix("/") ? url.path : FileManager.default.currentDirectoryPath + "/" + url.path
        return URL(fileURLWithPath: path).standardizedFileURL
    }
}
