import ArgumentParser
import BridgeSupport
import Foundation
import Studies

/// `bridge study submit SPEC`: the study's unfinished runs as a Slurm job array (docs/studies.md, "On a
/// Slurm cluster").
struct StudySubmit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a study to Slurm: one job array over its unfinished runs, after a job array that builds their base models, and a job that collects the CSVs when the array has ended.",
        discussion: """
            Prepares the study folder as `bridge study run` does, writes DIR/slurm/{setup,runs,collect}.sbatch and \
            submits them. Submitting again (after scancel, a node failure or a time limit) submits only the runs \
            that are not complete. Defaults of the options come from the spec's `slurm:` section (and its preset's); \
            a flag overrides them. Needs sbatch on PATH and a filesystem shared by this machine and the nodes.
            """
    )

    @Argument(help: "Study spec (YAML), e.g. studies/main_table.yaml.")
    var spec: String

    @Option(name: .long, help: "Preset to apply (quick, paper, ...).")
    var preset: String?

    @Option(name: .long, help: "Output folder (default: results/<study>[-<preset>]); it must be on the shared filesystem.")
    var out: String?

    @OptionGroup var reuse: StudyReuseOptions

    @Flag(name: .long, help: "Submit into an existing folder even if it holds a different spec (finished runs whose config is unchanged are kept).")
    var force = false

    @Option(name: .long, help: "Slurm partition (default: the spec's slurm.partition, else the cluster's default).")
    var partition: String?

    @Option(name: .long, help: "Time limit of each task (one run; also the base-model and collect jobs), e.g. 90, 2:00:00, 1-00:00:00.")
    var time: String?

    @Option(name: .long, help: "CPUs per task (default 1: a run computes on one BLAS thread).")
    var cpusPerTask: Int?

    @Option(name: .long, help: "Memory per task, e.g. 4G.")
    var mem: String?

    @Option(name: .long, help: "Slurm account.")
    var account: String?

    @Option(name: .long, help: "Slurm quality of service.")
    var qos: String?

    @Option(name: .long, help: "At most this many runs at once (the array's %N throttle; default: all).")
    var maxRunning: Int?

    @Option(name: .customLong("sbatch-arg"), parsing: .unconditionalSingleValue,
            help: "Another sbatch option for every job, as written after '#SBATCH ' (repeatable), e.g. --sbatch-arg=--constraint=avx2.")
    var sbatchArgs: [String] = []

    @Argument(help: "Overrides of the base config: key.path=value ...")
    var overrides: [String] = []

    /// The options the command line sets (nil where it sets none).
    var flags: SlurmOptions {
        var o = SlurmOptions()
        o.partition = partition; o.time = time; o.cpusPerTask = cpusPerTask; o.memory = mem
        o.account = account; o.qos = qos; o.maxRunning = maxRunning; o.sbatchArgs = sbatchArgs
        return o
    }

    func validate() throws {
        try checkStudyOverrides(overrides)
        if let n = cpusPerTask, n < 1 { throw ValidationError("--cpus-per-task must be at least 1 (got \(n))") }
        if let n = maxRunning, n < 1 { throw ValidationError("--max-running must be at least 1 (got \(n))") }
        if let problem = flags.problem() {
            let flag = problem.key == "sbatch_args" ? "--sbatch-arg" : "--" + problem.key.replacingOccurrences(of: "_", with: "-")
            throw ValidationError("\(flag): \(problem.message). Fix: \(problem.fix)")
        }
    }

    func run() throws {
        let pipeline = try StudyPipeline(specFile: spec, preset: preset, overrides: overrides, kinds: RunKinds.all, out: out)
        let name = pipeline.spec.name + (pipeline.spec.preset.isEmpty ? "" : " (preset \(pipeline.spec.preset))")
        let dir = pipeline.dir.relativePath // as the user wrote it (the scripts hold absolute paths)
        switch try pipeline.execute(.slurm(flags, executable: currentExecutable()), force: force, reuse: reuse.folders) {
        case let .collected(finished, diverged, failed, _):
            print("study \(name): all \(pipeline.runs.count) runs are complete (\(finished) finished, \(diverged) diverged, \(failed) failed); nothing to submit")
            print("collected: \(dir)/runs.csv, summary.csv, metrics.csv (timings.csv, manifest.json)")
        case let .submitted(s):
            print("study \(name): \(pipeline.runs.count) runs, \(pipeline.runs.count - s.runs.count) complete, \(s.runs.count) submitted (submission \(s.number))")
            if let setup = s.setupJob {
                print("  job \(setup): base models, \(s.setupRuns.count) array task(s) (slurm/setup.sbatch)")
            }
            let throttle = min(s.options.maxRunning ?? s.runs.count, s.runs.count)
            print("  job \(s.runsJob): runs, array 0-\(s.runs.count - 1)%\(throttle)\(s.setupJob.map { " after job \($0) succeeds" } ?? "") (slurm/runs.sbatch)")
            print("  job \(s.collectJob): collects the CSVs and manifest.json when the array has ended (slurm/collect.sbatch)")
            print("watch: bridge study status \(dir)   logs: \(dir)/slurm/logs/, \(dir)/runs/<run_id>/worker.log")
        case .prepared:
            throw StudyFailure(description: "internal: a submission only prepared the folder")
        }
    }
}
