import ArgumentParser
import Foundation
import Studies

/// `bridge study collect DIR`: (re)writes runs.csv, metrics.csv, summary.csv and timings.csv.
struct StudyCollect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "collect", abstract: "Rewrite the CSV files of a study folder from its run folders.")

    @Argument(help: "Study output folder.")
    var dir: String

    func run() throws {
        let collector = try Collector(dir: URL(fileURLWithPath: dir))
        try collector.writeAll()
        let c = collector.counts
        print("collected \(collector.plan.runs.count) runs (\(c.finished) finished, \(c.diverged) diverged, \(c.failed) failed, \(c.pending) pending) into \(dir)/{runs,metrics,summary,timings}.csv")
    }
}
