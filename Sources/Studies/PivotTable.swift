import BridgeSupport
import Foundation

/// How `bridge study table --pivot` prints: Markdown, LaTeX (booktabs) or CSV.
public enum TableFormat: String, ConfigChoice {
    case md, latex, csv
}

/// The paper's table from summary.csv (and paired.csv): one row per group, one column per summarised
/// column (benchmarks or metrics), cells `mean [95% t-interval]`, the interval clipped to the metric's
/// range (`MetricRange`), and, when the study has `compare_to`, a second block with the differences to
/// the reference paired by seed (a `*` marks those whose interval excludes 0).
public struct PivotTable {
    /// A column that is not in summary.csv, or a summary.csv of another format.
    public struct Problem: Error, CustomStringConvertible { public let description: String }

    public struct Cell: Equatable {
        public var mean: Double?, low: Double?, high: Double?, n: Int
        public var resolved = false
    }
    public var columns: [String]
    public var headers: [String]
    public var rows: [(label: String, cells: [Cell?])]
    public var reference: String = ""
    public var pairedRows: [(label: String, cells: [Cell?])] = []

    /// Builds the table. `patterns`: column names or `*` patterns; empty: the per-benchmark accuracies and
    /// the mean accuracy (`:final`) when the study has them, else every `:final` column, else all.
    public init(summary: (header: [String], rows: [[String]]), paired: (header: [String], rows: [[String]])?, patterns: [String]) throws {
        let h = summary.header
        guard let mi = h.firstIndex(of: "metric"), let ni = h.firstIndex(of: "n"), let mean = h.firstIndex(of: "mean"),
              let lo = h.firstIndex(of: "ci95_low"), let hi = h.firstIndex(of: "ci95_high") else {
            throw PivotTable.Problem(description: "summary.csv has unexpected columns \(h); rewrite it with `bridge study collect DIR`")
        }
        var available: [String] = []
        for r in summary.rows where !available.contains(r[mi]) { available.append(r[mi]) }
        var chosen: [String] = []
        if patterns.isEmpty {
            chosen = available.filter { ConfigPath.globMatch("eval/*/accuracy:final", $0) && !$0.hasPrefix("eval/probe_") && !$0.hasPrefix("eval/validation/") }
            if let m = available.first(where: { $0 == "eval/mean_accuracy:final" }) { chosen.append(m) }
            if chosen.isEmpty { chosen = available.filter { $0.hasSuffix(":final") } }
            if chosen.isEmpty { chosen = available }
        } else {
            for p in patterns {
                let hits = available.filter { ConfigPath.globMatch(p, $0) }
                guard !hits.isEmpty else {
                    throw PivotTable.Problem(description: "'\(p)' matches no column of summary.csv"
                        + (NearestKey.find(p, in: available).map { "; did you mean '\($0)'?" } ?? "") + " Available: \(available.joined(separator: ", ")).")
                }
                for c in hits where !chosen.contains(c) { chosen.append(c) }
            }
        }
        columns = chosen
        headers = NotebookExport.shortNames(chosen)
        let groupCols = Array(h[..<mi])
        var keys: [[String]] = []
        for r in summary.rows where !keys.contains(Array(r[..<mi])) { keys.append(Array(r[..<mi])) }
        let labels = NotebookExport.groupLabels(columns: groupCols, hasMethod: groupCols.first == "method", keys: keys)
        var labelOf: [[String]: String] = [:]
        for (k, l) in zip(keys, labels) { labelOf[k] = l }
        func cell(_ r: [String], column: String, mean: Int, lo: Int, hi: Int, n: Int, clip: Bool) -> Cell {
            var (l, u) = (Double(r[lo]), Double(r[hi]))
            if clip { (l, u) = MetricRange.clip(l, u, column: column) }
            return Cell(mean: Double(r[mean]), low: l, high: u, n: Int(r[n]) ?? 0)
        }
        rows = keys.map { key in
            (labelOf[key]!, chosen.map { c in
                summary.rows.first { Array($0[..<mi]) == key && $0[mi] == c }.map { cell($0, column: c, mean: mean, lo: lo, hi: hi, n: ni, clip: true) }
            })
        }
        guard let paired, let ri = paired.header.firstIndex(of: "reference"), let pm = paired.header.firstIndex(of: "metric"),
              let pn = paired.header.firstIndex(of: "n_pairs"), let pd = paired.header.firstIndex(of: "mean_diff"),
              let pl = paired.header.firstIndex(of: "ci95_low"), let ph = paired.header.firstIndex(of: "ci95_high"),
              let pr = paired.header.firstIndex(of: "resolved"), let first = paired.rows.first else { return }
        reference = first[ri]
        var pkeys: [[String]] = []
        for r in paired.rows where !pkeys.contains(Array(r[..<ri])) { pkeys.append(Array(r[..<ri])) }
        pairedRows = pkeys.map { key in
            ((labelOf[key] ?? key.joined(separator: ", ")) + " − " + reference, chosen.map { c in
                paired.rows.first { Array($0[..<ri]) == key && $0[pm] == c }.map {
                    var x = cell($0, column: c, mean: pd, lo: pl, hi: ph, n: pn, clip: false)
                    x.resolved = $0[pr] == "yes"
                    return x
                }
            })
        }
    }

    func text(_ c: Cell?, digits: Int) -> String {
        guard let c, let m = c.mean else { return "" }
        func f(_ x: Double) -> String { String(format: "%.\(digits)f", x).replacingOccurrences(of: "-", with: "−") }
        let star = c.resolved ? "*" : ""
        guard let l = c.low, let u = c.high else { return f(m) + star }
        return "\(f(m)) [\(f(l)), \(f(u))]\(star)"
    }

    /// The most seeds behind any cell of a row (shown as the row's n).
    func n(_ cells: [Cell?]) -> String { String(cells.compactMap { $0?.n }.max() ?? 0) }

    /// What the cells mean, printed under the table.
    public var note: String {
        "Columns: \(columns.joined(separator: ", ")). Cells: mean over seeds [95% t-interval, clipped to the metric's range (accuracies and rates: [0, 1])]; n: seeds per group."
            + (reference.isEmpty ? "" : " Lower block: difference to \(reference) paired by seed (n: pairs); * the interval excludes 0.")
    }

    public func render(_ format: TableFormat, digits: Int) -> String {
        switch format {
        case .md:
            var out = "| group | n | " + headers.joined(separator: " | ") + " |\n|---|---|" + String(repeating: "---|", count: headers.count) + "\n"
            for r in rows { out += "| \(r.label) | \(n(r.cells)) | " + r.cells.map { text($0, digits: digits) }.joined(separator: " | ") + " |\n" }
            if !pairedRows.isEmpty {
                out += "| **paired difference to \(reference)** | | " + String(repeating: " | ", count: headers.count - 1) + " |\n"
                for r in pairedRows { out += "| \(r.label) | \(n(r.cells)) | " + r.cells.map { text($0, digits: digits) }.joined(separator: " | ") + " |\n" }
            }
            return out + "\n" + note + "\n"
        case .latex:
            func esc(_ s: String) -> String {
                var o = ""
                for ch in s {
                    switch ch {
                    case "_", "&", "%", "#", "$", "{", "}": o += "\\" + String(ch)
                    case "−": o += "$-$"
                    default: o.append(ch)
                    }
                }
                return o
            }
            var out = "% \(note)\n\\begin{tabular}{lr" + String(repeating: "c", count: headers.count) + "}\n\\toprule\n"
            out += "group & $n$ & " + headers.map(esc).joined(separator: " & ") + " \\\\\n\\midrule\n"
            for r in rows { out += esc(r.label) + " & \(n(r.cells)) & " + r.cells.map { esc(text($0, digits: digits)) }.joined(separator: " & ") + " \\\\\n" }
            if !pairedRows.isEmpty {
                out += "\\midrule\n\\multicolumn{\(headers.count + 2)}{l}{\\emph{paired difference to \(esc(reference))}} \\\\\n"
                for r in pairedRows { out += esc(r.label) + " & \(n(r.cells)) & " + r.cells.map { esc(text($0, digits: digits)) }.joined(separator: " & ") + " \\\\\n" }
            }
            return out + "\\bottomrule\n\\end{tabular}\n"
        case .csv:
            var t = CSVTable(columns: ["block", "group", "n"] + columns.flatMap { ["\($0) mean", "\($0) low", "\($0) high"] })
            func num(_ x: Double?) -> CSVTable.Cell { x.map { .number($0) } ?? .empty }
            for (block, list) in [("summary", rows), ("paired-vs-" + reference, pairedRows)] {
                for r in list {
                    t.append([.text(block), .text(r.label), .text(n(r.cells))] + r.cells.flatMap { [num($0?.mean), num($0?.low), num($0?.high)] })
                }
            }
            return t.text
        }
    }
}
