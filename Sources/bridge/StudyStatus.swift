import ArgumentParser
import Foundation
import Studies

/// `bridge study status DIR`: counts and the unfinished runs of a study folder; for a study submitted to
/// Slurm, every run with the state of its array task beside the ledger's.
struct StudyStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show how many runs of a study folder are finished, diverged, failed or pending (and, after `bridge study submit`, what Slurm says about each).")

    @Argument(help: "Study output folder.")
    var dir: String

    func run() throws {
        let url = URL(fileURLWithPath: dir)
        let collector = try Collector(dir: url)
        let plan = collector.plan, c = collector.counts
        print("study \(plan.name)\(plan.preset.isEmpty ? "" : " (preset \(plan.preset))"): \(plan.question)")
        print("runs: \(plan.runs.count) total, \(c.finished) finished, \(c.diverged) diverged, \(c.failed) failed, \(c.pending) pending")
        let slurm = SlurmStatus(dir: url)
        if let slurm { print(slurm.latestLine) }
        let width = slurm.map { s in plan.runs.map { s.tasks[$0.runId]?.text.count ?? 1 }.max() ?? 1 } ?? 0
        var ended = 0
        for (run, rec) in zip(plan.runs, collector.records) where rec.status != "finished" || slurm != nil {
            let values = zip(plan.varied, run.values).map { "\($0)=\($1)" } + ["seed=\(run.seed)"]
            var slurmColumn = ""
            if let slurm {
                let task = slurm.tasks[run.runId]
                slurmColumn = (task?.text ?? "-").padding(toLength: width, withPad: " ", startingAt: 0) + " "
                if rec.status == "pending", let state = task?.state, !state.isActive { ended += 1 }
            }
            print("  \(run.runId) \(rec.status.padding(toLength: 8, withPad: " ", startingAt: 0)) \(slurmColumn)\(values.joined(separator: ", "))\(rec.error.isEmpty ? "" : ": " + rec.error)")
        }
        if ended > 0 {
            print("\(ended) run(s) ended in Slurm without a result (cancelled, time limit, node failure; see \(dir)/slurm/logs/ and runs/<run_id>/worker.log): `bridge study submit` with the same spec submits only the unfinished runs")
        }
    }
}
