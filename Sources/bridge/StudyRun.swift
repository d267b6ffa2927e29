import ArgumentParser
import BridgeSupport
import Foundation
import Studies

/// `bridge study run SPEC`: expand, run pending runs in worker processes, collect.
struct StudyRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a study: expand SPEC to runs, execute the unfinished ones in parallel worker processes, collect CSVs.",
        discussion: "Re-running the same command resumes: finished runs are kept, unfinished ones restart. Overrides key.path=value patch the base config."
    )

    @Argument(help: "Study spec (YAML), e.g. studies/lambda_schedules.yaml.")
    var spec: String

    @Option(name: .long, help: "Preset to apply (quick, paper, ...).")
    var preset: String?

    @Option(name: .long, parsing: .unconditional, help: "Worker processes (default: the number of cores).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: "Output folder (default: results/<study>[-<preset>]).")
    var out: String?

    @OptionGroup var reuse: StudyReuseOptions

    @Flag(name: .long, help: "Run into an existing folder even if it holds a different spec.")
    var force = false

    @Flag(name: .long, help: "Check the spec and expand it (every run config resolved by its kind); print the plan, run nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Write the study folder (study.json, runs/<id>/run.json) and print the pending run folders, one per line, without running them (for cluster job arrays: `bridge run --config F/run.json --out F` per line, then `bridge study collect DIR`).")
    var prepareOnly = false

    @Argument(help: "Overrides of the base config: key.path=value ...")
    var overrides: [String] = []

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1 (got \(workers))") }
        guard !(dryRun && prepareOnly) else { throw ValidationError("--dry-run writes nothing and --prepare-only writes the folder: choose one") }
        try checkStudyOverrides(overrides)
    }

    func run() throws {
        let pipeline = try StudyPipeline(specFile: spec, preset: preset, overrides: overrides, kinds: RunKinds.all, out: out)
        let effective = pipeline.spec, runs = pipeline.runs, dir = pipeline.dir
        if dryRun {
            print("study \(effective.name)\(effective.preset.isEmpty ? "" : " (preset \(effective.preset))"): \(runs.count) runs = \(StudyExpansion.points(effective.axes).count) parameter points × \(effective.seeds.count) seeds")
            print("varied: \(effective.axes.variedKeys.joined(separator: ", ")); seeds \(effective.seeds.map(String.init).joined(separator: ",")) into \(effective.seedKey)")
            print("output: \(dir.path)")
            for r in runs { print("  \(r.runId)  \(StudyExpansion.describe(r.point, seed: r.seed))") }
            return
        }
        let executor: StudyExecutor = prepareOnly ? .prepareOnly
            : .local(.processes(executable: currentExecutable()), workers: workers, progress: ProgressReporter(study: effective.name))
        switch try pipeline.execute(executor, force: force, reuse: reuse.folders) {
        case let .prepared(folders):
            for f in folders { print(f.path) }
        case let .collected(finished, diverged, failed, _):
            print("study \(effective.name): \(finished) finished, \(diverged) diverged, \(failed) failed of \(runs.count) runs")
            print("results: \(dir.path)/runs.csv, summary.csv, metrics.csv (timings.csv, manifest.json)")
            if failed > 0 {
                throw StudyFailure(description: "\(failed) run(s) failed: see the status and error columns of \(dir.path)/runs.csv and runs/<run_id>/worker.log; rerun the same command to retry them")
            }
        case .submitted:
            throw StudyFailure(description: "internal: a local study was submitted to Slurm")
        }
    }
}
