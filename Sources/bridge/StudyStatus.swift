import ArgumentParser
import Foundation
import Studies

/// `bridge study status DIR`: counts and the unfinished runs of a study folder.
struct StudyStatus: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show how many runs of a study folder are finished, diverged, failed or pending.")

    @Argument(help: "Study output folder.")
    var dir: String

    func run() throws {
        let collector = try Collector(dir: URL(fileURLWithPath: dir))
        let plan = collector.plan, c = collector.counts
        print("study \(plan.name)\(plan.preset.isEmpty ? "" : " (preset \(plan.preset))"): \(plan.question)")
        print("runs: \(plan.runs.count) total, \(c.finished) finished, \(c.diverged) diverged, \(c.failed) failed, \(c.pending) pending")
        for (run, rec) in zip(plan.runs, collector.records) where rec.status != "finished" {
            let values = zip(plan.varied, run.values).map { "\($0)=\($1)" } + ["seed=\(run.seed)"]
            print("  \(run.runId) \(rec.status.padding(toLength: 8, withPad: " ", startingAt: 0)) \(values.joined(separator: ", "))\(rec.error.isEmpty ? "" : ": " + rec.error)")
        }
    }
}
