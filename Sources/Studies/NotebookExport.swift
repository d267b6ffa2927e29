import BridgeSupport
import Foundation

/// Exports a collected study folder: SVG figures in DIR/figures/ (mean ± 95% t-CI per group for every
/// summarised column; mean curve per group for every summarised metric) and a Jupyter notebook
/// (nbformat 4) that loads the CSV files with pandas and redraws the figures with matplotlib.
public struct NotebookExport {
    public let collector: Collector

    public init(collector: Collector) { self.collector = collector }

    static func fileSafe(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
    }

    /// Writes DIR/figures/*.svg; returns the file names in order.
    @discardableResult
    public func writeFigures() throws -> [String] {
        let dir = collector.dir.appendingPathComponent("figures")
        let (_, values) = collector.runsTable()
        let summary = CSVTable.parse(collector.summaryTable(values: values).text)
        let g = collector.groupColumns.count
        var names: [String] = []
        var columnsInOrder: [String] = []
        for row in summary.rows where !columnsInOrder.contains(row[g]) { columnsInOrder.append(row[g]) }
        for column in columnsInOrder {
            let rows = summary.rows.filter { $0[g] == column }
            let labels = rows.map { r in g == 0 ? "all" : r.prefix(g).joined(separator: ", ") }
            func num(_ r: [String], _ name: String) -> Double? { Double(r[g + Collector.summaryStatColumns.firstIndex(of: name)!]) }
            let svg = SVGChart.bars(title: "\(collector.plan.name): \(column) (mean ± 95% CI over seeds)", yLabel: column,
                                    xLabel: collector.groupColumns.joined(separator: ", "), groups: labels,
                                    means: rows.map { num($0, "mean") }, lows: rows.map { num($0, "ci95_low") }, highs: rows.map { num($0, "ci95_high") })
            let name = "bar-" + NotebookExport.fileSafe(column) + ".svg"
            try AtomicFile.write(svg, to: dir.appendingPathComponent(name))
            names.append(name)
        }
        for metric in curveMetrics {
            let svg = SVGChart.lines(title: "\(collector.plan.name): \(metric) (mean over finished seeds)", yLabel: metric,
                                     legendTitle: collector.groupColumns.joined(separator: ", "), series: meanCurves(metric))
            let name = "curve-" + NotebookExport.fileSafe(metric) + ".svg"
            try AtomicFile.write(svg, to: dir.appendingPathComponent(name))
            names.append(name)
        }
        return names
    }

    /// The metrics named by `metrics:` (patterns expanded), in order.
    var curveMetrics: [String] {
        var out: [String] = []
        for m in collector.plan.metrics { for n in collector.expand(m.metric) where !out.contains(n) { out.append(n) } }
        return out
    }

    /// Per group: the mean over finished runs at each step logged by all of them.
    func meanCurves(_ metric: String) -> [(name: String, points: [(Double, Double)])] {
        var order: [[String]] = [], byGroup: [[String]: [Int]] = [:]
        for (i, r) in collector.plan.runs.enumerated() where collector.records[i].status == "finished" {
            let key = collector.groupValues(r)
            if byGroup[key] == nil { order.append(key) }
            byGroup[key, default: []].append(i)
        }
        return order.map { key in
            let curves = byGroup[key]!.compactMap { collector.records[$0].curves[metric] }
            var sums: [Int: (Double, Int)] = [:]
            for c in curves { for (s, v) in zip(c.steps, c.values) { sums[s, default: (0, 0)].0 += v; sums[s, default: (0, 0)].1 += 1 } }
            let points = sums.keys.sorted().filter { sums[$0]!.1 == curves.count }.map { (Double($0), sums[$0]!.0 / Double(curves.count)) }
            let name = key.isEmpty ? "all" : key.joined(separator: ", ")
            return (name, points)
        }
    }

    /// The notebook JSON; `dataPath` is how the notebook reaches the study folder (relative to itself).
    public func notebook(dataPath: String) -> String {
        let plan = collector.plan
        let groups = collector.groupColumns
        func code(_ src: String) -> ConfigValue {
            .object([("cell_type", .string("code")), ("execution_count", .null), ("metadata", .object([])),
                     ("outputs", .array([])), ("source", .array(lines(src)))])
        }
        func markdown(_ src: String) -> ConfigValue {
            .object([("cell_type", .string("markdown")), ("metadata", .object([])), ("source", .array(lines(src)))])
        }
        let groupList = "[" + groups.map { Format.jsonString($0) }.joined(separator: ", ") + "]"
        let cells: [ConfigValue] = [
            markdown("# Study `\(plan.name)`\(plan.preset.isEmpty ? "" : " (preset `\(plan.preset)`)")\n\n**Question.** \(plan.question)\n\nSpec hash `\(plan.specHash.prefix(12))`; files: runs.csv (one row per run), summary.csv (per group over seeds: mean, std, 95% t-CI, bootstrap CI), metrics.csv (long curves). Figures as SVG in `figures/`."),
            code("import pandas as pd\nimport matplotlib.pyplot as plt\n\nDIR = \(Format.jsonString(dataPath))\nGROUPS = \(groupList)\nruns = pd.read_csv(f\"{DIR}/runs.csv\")\nsummary = pd.read_csv(f\"{DIR}/summary.csv\")\nmetrics = pd.read_csv(f\"{DIR}/metrics.csv\")\nruns.head()"),
            code("summary"),
            markdown("## Mean ± 95% CI per group (t interval over seeds)"),
            code("for metric, table in summary.groupby(\"metric\", sort=False):\n    labels = table[GROUPS].astype(str).agg(\", \".join, axis=1) if GROUPS else [\"all\"] * len(table)\n    err = [table[\"mean\"] - table[\"ci95_low\"], table[\"ci95_high\"] - table[\"mean\"]]\n    fig, ax = plt.subplots(figsize=(7, 3.5))\n    ax.bar(list(labels), table[\"mean\"], yerr=err, capsize=4)\n    ax.set_title(metric)\n    ax.tick_params(axis=\"x\", rotation=30)\n    plt.tight_layout()\n    plt.show()"),
            markdown("## Curves: mean over finished seeds per group"),
            code("finished = runs[runs.status == \"finished\"]\nlong = metrics.merge(finished[[\"run_id\"] + GROUPS], on=\"run_id\")\nfor metric in \(arrayLiteral(curveMetrics)):\n    fig, ax = plt.subplots(figsize=(7, 3.5))\n    data = long[long.metric == metric]\n    for key, g in (data.groupby(GROUPS, sort=False) if GROUPS else [(\"all\", data)]):\n        curve = g.groupby(\"step\")[\"value\"].mean()\n        ax.plot(curve.index, curve.values, label=str(key))\n    ax.set_title(metric); ax.set_xlabel(\"step\"); ax.legend(fontsize=7)\n    plt.show()"),
        ]
        let nb = ConfigValue.object([
            ("cells", .array(cells)),
            ("metadata", .object([
                ("kernelspec", .object([("display_name", .string("Python 3")), ("language", .string("python")), ("name", .string("python3"))])),
                ("language_info", .object([("name", .string("python"))])),
            ])),
            ("nbformat", .number(4)), ("nbformat_minor", .number(4)),
        ])
        return nb.prettyJSON
    }

    func arrayLiteral(_ items: [String]) -> String { "[" + items.map { Format.jsonString($0) }.joined(separator: ", ") + "]" }

    /// Jupyter stores source as a list of lines, each but the last ending in "\n".
    func lines(_ s: String) -> [ConfigValue] {
        let parts = s.components(separatedBy: "\n")
        return parts.enumerated().map { i, p in .string(i < parts.count - 1 ? p + "\n" : p) }
    }

    /// Writes figures and `<notebookDir>/<study>[-<preset>].ipynb`; returns the notebook path.
    @discardableResult
    /// A notebook file already there is replaced only when it is this study's own earlier export (it
    /// loads the same folder), or with `force`: a user's notebook of the same name is never lost.
    public func write(notebookDir: URL, force: Bool = false) throws -> URL {
        let plan = collector.plan
        let url = notebookDir.appendingPathComponent(plan.name + (plan.preset.isEmpty ? "" : "-" + plan.preset) + ".ipynb")
        let dataPath = NotebookExport.relativePath(from: notebookDir, to: collector.dir)
        if !force, FileManager.default.fileExists(atPath: url.path) {
            let old = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            let marker = Format.jsonString("DIR = \(Format.jsonString(dataPath))\n").dropLast()
            if !old.contains(marker) {
                throw FileProblem(path: url.path, what: "a notebook of this name exists and was not exported from \(collector.dir.path)",
                                  fix: "move it away, pass --notebook-dir with another folder, or pass --force to replace it")
            }
        }
        try writeFigures()
        try AtomicFile.write(notebook(dataPath: dataPath), to: url)
        return url
    }

    /// A path to `target` as seen from folder `base` (both made absolute first).
    public static func relativePath(from base: URL, to target: URL) -> String {
        let b = base.standardizedFileURL.pathComponents, t = target.standardizedFileURL.pathComponents
        var i = 0
        while i < min(b.count, t.count), b[i] == t[i] { i += 1 }
        let parts = Array(repeating: "..", count: b.count - i) + t[i...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
