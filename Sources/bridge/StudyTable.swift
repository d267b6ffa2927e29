import ArgumentParser
import BridgeSupport
import Foundation

/// `bridge study table DIR`: summary.csv as a readable Markdown table (mean and 95% intervals per group).
struct StudyTable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table",
        abstract: "Print summary.csv of a study folder as a Markdown table: per group n, mean and 95% intervals.")

    @Argument(help: "Study output folder (holds summary.csv).")
    var dir: String

    @Option(name: .long, help: "Summary column(s) to show, e.g. eval/mean_accuracy:final (repeatable). Default: every eval/mean_accuracy column, else the first one.")
    var metric: [String] = []

    @Option(name: .long, help: "Digits after the decimal point.")
    var digits: Int = 3

    func validate() throws {
        guard (0...9).contains(digits) else { throw ValidationError("--digits must be between 0 and 9") }
    }

    func run() throws {
        let url = URL(fileURLWithPath: dir).appendingPathComponent("summary.csv")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ValidationError("\(url.path) does not exist. Fix: run `bridge study run SPEC` (or `bridge study collect \(dir)`) first.")
        }
        let (header, rows) = CSVTable.parse(try AtomicFile.readText(url, what: "summary.csv"))
        guard let metricIndex = header.firstIndex(of: "metric"),
              let n = header.firstIndex(of: "n"), let mean = header.firstIndex(of: "mean"),
              let lo = header.firstIndex(of: "ci95_low"), let hi = header.firstIndex(of: "ci95_high"),
              let blo = header.firstIndex(of: "boot_low"), let bhi = header.firstIndex(of: "boot_high") else {
            throw ValidationError("\(url.path) has unexpected columns \(header). Fix: rewrite it with `bridge study collect \(dir)`.")
        }
        let groupColumns = Array(header[..<metricIndex])
        var available: [String] = []
        for r in rows where !available.contains(r[metricIndex]) { available.append(r[metricIndex]) }
        var chosen = metric
        if chosen.isEmpty {
            chosen = available.filter { $0.hasPrefix("eval/mean_accuracy:") }
            if chosen.isEmpty, let first = available.first { chosen = [first] }
        }
        for m in chosen where !available.contains(m) {
            throw ValidationError("'\(m)' is not a column of \(url.path)"
                + (NearestKey.find(m, in: available).map { "; did you mean '\($0)'?" } ?? "")
                + " Available: \(available.joined(separator: ", ")).")
        }
        func fmt(_ s: String) -> String { Double(s).map { String(format: "%.\(digits)f", $0) } ?? s }
        for m in chosen {
            print("\n**\(m)** (\(dir))\n")
            print("| " + (groupColumns + ["n", "mean", "95% t-interval", "95% bootstrap"]).joined(separator: " | ") + " |")
            print("|" + String(repeating: "---|", count: groupColumns.count + 4))
            for r in rows where r[metricIndex] == m {
                let cells = Array(r[..<metricIndex]) + [r[n], fmt(r[mean]), "[\(fmt(r[lo])), \(fmt(r[hi]))]", "[\(fmt(r[blo])), \(fmt(r[bhi]))]"]
                print("| " + cells.joined(separator: " | ") + " |")
            }
        }
    }
}
