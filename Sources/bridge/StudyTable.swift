import ArgumentParser
import BridgeSupport
import Foundation
import Studies

extension TableFormat: ExpressibleByArgument {}

/// `bridge study table DIR`: summary.csv as a readable Markdown table (mean and 95% intervals per group);
/// with `--pivot`, the paper's table (groups × benchmarks or metrics) as Markdown, LaTeX or CSV.
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

    @Flag(name: .long, help: "One table: rows are groups, columns the --metric columns (patterns allowed; default: the per-benchmark accuracies and the mean accuracy), cells mean [95% interval]; paired differences to compare_to below.")
    var pivot = false

    @Option(name: .long, help: "Output format of --pivot: \(TableFormat.names.joined(separator: ", ")).")
    var format: TableFormat = .md

    @Flag(name: .long, help: "Wall time, step time, throughput and memory per group from timings.csv (mean and 95% t-interval over the finished runs), with compare_to the ratio to the reference paired by seed. Timings are not byte-stable: compare wall times only from runs that each had a core and nothing else running.")
    var timings = false

    func validate() throws {
        guard (0...9).contains(digits) else { throw ValidationError("--digits must be between 0 and 9") }
        if format != .md && !pivot { throw ValidationError("--format needs --pivot") }
        if timings && (pivot || !metric.isEmpty) { throw ValidationError("--timings prints the timing table alone: drop --pivot and --metric") }
    }

    func run() throws {
        if timings { return try printTimings() }
        let url = URL(fileURLWithPath: dir).appendingPathComponent("summary.csv")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ValidationError("\(url.path) does not exist. Fix: run `bridge study run SPEC` (or `bridge study collect \(dir)`) first.")
        }
        let (header, rows) = CSVTable.parse(try AtomicFile.readText(url, what: "summary.csv"))
        if pivot {
            let pairedURL = URL(fileURLWithPath: dir).appendingPathComponent("paired.csv")
            let paired = FileManager.default.fileExists(atPath: pairedURL.path)
                ? CSVTable.parse(try AtomicFile.readText(pairedURL, what: "paired.csv")) : nil
            do {
                let table = try PivotTable(summary: (header, rows), paired: paired, patterns: metric)
                print(table.render(format, digits: digits), terminator: "")
            } catch let e as PivotTable.Problem { throw ValidationError(e.description) }
            return
        }
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
        let pairedURL = URL(fileURLWithPath: dir).appendingPathComponent("paired.csv")
        let paired = FileManager.default.fileExists(atPath: pairedURL.path)
            ? CSVTable.parse(try AtomicFile.readText(pairedURL, what: "paired.csv")) : nil
        for m in chosen {
            print("\n**\(m)** (\(dir))\n")
            print("| " + (groupColumns + ["n", "mean", "95% t-interval", "95% bootstrap"]).joined(separator: " | ") + " |")
            print("|" + String(repeating: "---|", count: groupColumns.count + 4))
            for r in rows where r[metricIndex] == m {
                let cells = Array(r[..<metricIndex]) + [r[n], fmt(r[mean]), "[\(fmt(r[lo])), \(fmt(r[hi]))]", "[\(fmt(r[blo])), \(fmt(r[bhi]))]"]
                print("| " + cells.joined(separator: " | ") + " |")
            }
            if let paired { try printPaired(paired, metric: m, fmt: fmt) }
        }
    }

    /// The paired differences of `metric` to the reference method (paired.csv), one row per group.
    func printPaired(_ t: (header: [String], rows: [[String]]), metric m: String, fmt: (String) -> String) throws {
        let h = t.header
        guard let metricIndex = h.firstIndex(of: "metric"), let ref = h.firstIndex(of: "reference"),
              let n = h.firstIndex(of: "n_pairs"), let mean = h.firstIndex(of: "mean_diff"),
              let lo = h.firstIndex(of: "ci95_low"), let hi = h.firstIndex(of: "ci95_high"),
              let blo = h.firstIndex(of: "boot_low"), let bhi = h.firstIndex(of: "boot_high"),
              let res = h.firstIndex(of: "resolved"), let refIndex = h.firstIndex(of: "reference") else {
            throw ValidationError("\(dir)/paired.csv has unexpected columns \(h). Fix: rewrite it with `bridge study collect \(dir)`.")
        }
        let rows = t.rows.filter { $0[metricIndex] == m }
        guard let first = rows.first else { return }
        let groupColumns = Array(h[..<refIndex])
        print("\nPaired by seed, minus \(first[ref]) (resolved: the 95% t-interval excludes 0, over at least 3 pairs)\n")
        print("| " + (groupColumns + ["pairs", "mean difference", "95% t-interval", "95% bootstrap", "resolved"]).joined(separator: " | ") + " |")
        print("|" + String(repeating: "---|", count: groupColumns.count + 5))
        for r in rows {
            let cells = Array(r[..<refIndex]) + [r[n], fmt(r[mean]), "[\(fmt(r[lo])), \(fmt(r[hi]))]", "[\(fmt(r[blo])), \(fmt(r[bhi]))]", r[res]]
            print("| " + cells.joined(separator: " | ") + " |")
        }
    }
    /// `--timings`: one Markdown table per timing, groups as rows, with the paired ratio to the reference.
    func printTimings() throws {
        let url = URL(fileURLWithPath: dir)
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("timings.csv").path) else {
            throw ValidationError("\(dir)/timings.csv does not exist. Fix: run `bridge study run SPEC` (or `bridge study collect \(dir)`) first.")
        }
        let t = CSVTable.parse(try Collector(dir: url).timingSummaryTable().text)
        let h = t.header
        guard let ti = h.firstIndex(of: "timing") else { return }
        func col(_ name: String) -> Int { h.firstIndex(of: name)! }
        func fmt(_ s: String) -> String { Double(s).map { String(format: "%.\(digits)f", $0) } ?? s }
        func interval(_ lo: String, _ hi: String) -> String { lo.isEmpty || hi.isEmpty ? "" : "[\(fmt(lo)), \(fmt(hi))]" }
        let groupColumns = Array(h[..<ti])
        var names: [String] = []
        for r in t.rows where !names.contains(r[ti]) { names.append(r[ti]) }
        if names.isEmpty { print("\(dir): no finished run has timings"); return }
        let reference = t.rows.lazy.map { $0[col("reference")] }.first { !$0.isEmpty }
        for name in names {
            print("\n**\(name)** (\(dir)/timings.csv; mean and 95% t-interval over finished runs\(reference.map { "; ratio to \($0) paired by seed" } ?? ""))\n")
            let ratioHeads = reference == nil ? [] : ["÷ reference", "95% t-interval", "pairs"]
            print("| " + (groupColumns + ["n", "mean", "95% t-interval"] + ratioHeads).joined(separator: " | ") + " |")
            print("|" + String(repeating: "---|", count: groupColumns.count + 3 + ratioHeads.count))
            for r in t.rows where r[ti] == name {
                var cells = Array(r[..<ti]) + [r[col("n")], fmt(r[col("mean")]), interval(r[col("ci95_low")], r[col("ci95_high")])]
                if reference != nil {
                    cells += r[col("reference")].isEmpty ? ["(reference)", "", ""]
                        : [fmt(r[col("ratio_mean")]), interval(r[col("ratio_ci95_low")], r[col("ratio_ci95_high")]), r[col("n_pairs")]]
                }
                print("| " + cells.joined(separator: " | ") + " |")
            }
        }
    }
}
