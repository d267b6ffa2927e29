import ArgumentParser
import BridgeSupport
import Foundation
import Studies
import TensorCore

/// `bridge study verify DIR`: recompute runs of a committed study folder and compare them byte for byte.
struct StudyVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute runs of a committed study folder (e.g. docs/results/main_table-paper) from the spec its manifest recorded and compare their metrics.csv and runs.csv rows byte for byte.")

    @Argument(help: "The committed study folder (study.json, manifest.json, metrics.csv, runs.csv).")
    var dir: String

    @Option(name: .long, help: "Recompute this many runs spread evenly over the study (default 2; with --all, every run).")
    var sample: Int = 2

    @Flag(name: .long, help: "Recompute every run of the study.")
    var all = false

    @Option(name: .customLong("run-id"), help: "Recompute this run (repeatable; replaces --sample).")
    var runIds: [String] = []

    @Option(name: .long, help: "Worker processes (each pinned to one BLAS thread).")
    var workers: Int = 1

    @Option(name: .long, help: "Scratch study folder for the recomputed runs (default results/verify-<folder name>; runs already recomputed there are kept).")
    var out: String?

    func validate() throws {
        guard sample >= 1 else { throw ValidationError("--sample must be at least 1") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        if all && !runIds.isEmpty { throw ValidationError("--all and --run-id choose the runs two ways: pass one") }
    }

    func run() throws {
        let v = try StudyVerification(committed: URL(fileURLWithPath: dir), kinds: RunKinds.all, out: out)
        var here = NumericsProvenance.current()
        var why: String?
        // Same CPU kind, another core (bridge's choice for this CPU changed, or BRIDGE_BLAS_CORE): recompute
        // on the committed core; `restart` does not return when it restarts.
        if v.recorded.differsOnlyInCore(from: here), let core = OpenBLASCore(name: v.recorded.core) {
            why = BLASCoreSetup.restart(on: core, reason: "study verify: the core \(v.plan.name) was computed with")
            here = NumericsProvenance.current()
        }
        // The kernel generation the study was computed with, for this process and its workers.
        guard let kernels = v.recorded.kernels else {
            throw StudyFailure(description: "\(dir)/manifest.json records a kernel generation (numerics.kernels) this build does not have: verify it with the bridge version that computed it")
        }
        if kernels != here.kernels {
            KernelGeneration.use(kernels)
            here = NumericsProvenance.current()
            print("running kernel generation \(kernels), the generation the study was computed with (set for this verification only)")
        }
        if here.blasCore.source == .bridgeVerify {
            print("running on OpenBLAS core \(here.blasCore.inUse), the core the study was computed with (set for this verification only)")
        }
        if !v.recorded.matches(here) {
            print("note: committed on \(v.recorded.cpu) with OpenBLAS core \(v.recorded.core); this machine is \(here.cpu) with core \(here.blasCore.inUse)\(why.map { " (\($0))" } ?? ""). Bitwise equality is expected only on the same CPU kind and core.")
        }
        let ids = !runIds.isEmpty ? runIds : v.sample(all ? Int.max : sample)
        print("recomputing \(ids.count) of \(v.plan.runs.count) runs of \(dir) into \(v.pipeline.dir.path)")
        let outcomes = try v.run(ids, executor: .local(.processes(executable: currentExecutable()), workers: workers,
                                                        progress: ProgressReporter(study: "verify " + v.plan.name)))
        var differing = 0
        for o in outcomes {
            if let d = o.difference {
                differing += 1
                print("DIFFERS   \(o.runId)  \(o.description) (status \(o.status))\n  committed:  \(d.committed)\n  recomputed: \(d.recomputed)")
            } else {
                print("identical \(o.runId)  \(o.description): \(o.rows) rows of metrics.csv and runs.csv")
            }
        }
        if differing > 0 {
            throw StudyFailure(description: "\(differing) of \(outcomes.count) recomputed runs differ from \(dir); recomputed folders: \(v.pipeline.dir.path)/runs/<run_id>")
        }
        print("all \(outcomes.count) recomputed runs equal the committed rows byte for byte")
    }
}
