import ArgumentParser
import Foundation
import Studies

/// `bridge study collect DIR`: (re)writes runs.csv, metrics.csv, summary.csv and timings.csv.
struct StudyCollect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "collect", abstract: "Rewrite the CSV files of a study folder from its run folders.")

    @Argument(help: "Study output folder.")
    var dir: String

    @Option(name: .long, help: "Set by the collect job of Slurm submission K: also record the end of the study in manifest.json (unless a later submission replaced K).")
    var submission: Int?

    func run() throws {
        let collector = try StudyPipeline.collect(dir: URL(fileURLWithPath: dir), submission: submission)
        let c = collector.counts
        print("collected \(collector.plan.runs.count) runs (\(c.finished) finished, \(c.diverged) diverged, \(c.failed) failed, \(c.pending) pending) into \(dir)/{runs,metrics,summary,timings}.csv")
    }
}
