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

    /// Writes DIR/figures/*.svg (the curated set of `figures()`) and removes other SVG files there, so the
    /// folder never mixes figures of an earlier export; returns the file names in order.
    @discardableResult
    public func writeFigures() throws -> [String] {
        let dir = collector.dir.appendingPathComponent("figures")
        let made = figures()
        for f in made { try AtomicFile.write(f.figure.svg, to: dir.appendingPathComponent(f.name)) }
        let names = made.map(\.name)
        for old in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] where old.hasSuffix(".svg") && !names.contains(old) {
            try? FileManager.default.removeItem(at: dir.appendingPathComponent(old))
        }
        return names
    }

    /// The metrics named by `metrics:` (patterns expanded), in order.
    var curveMetrics: [String] {
        var out: [String] = []
        for m in collector.plan.metrics { for n in collector.expand(m.metric) where !out.contains(n) { out.append(n) } }
        return out
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
        let groupList = arrayLiteral(groups)
        let (_, values) = collector.runsTable()
        let finished = finishedGroups
        let labels = groupLabels(finished.map(\.key))
        let labelDict = "{" + zip(finished, labels).map { Format.jsonString($0.key.joined(separator: "|")) + ": " + Format.jsonString($1) }.joined(separator: ", ") + "}"
        let columns = collector.valueColumns.map(\.name)
        let bounds = "{" + columns.compactMap { c in MetricRange.bounds(column: c).map { Format.jsonString(c) + ": (\(Format.number($0.lowerBound)), \($0.upperBound.isFinite ? Format.number($0.upperBound) : "float(\"inf\")"))" } }.joined(separator: ", ") + "}"
        var figureList: [String] = []
        for req in figureRequests {
            switch req.kind {
            case .groups: figureList.append("(\"groups\", [\(Format.jsonString(req.of))])")
            case .benchmarks:
                let cols = columns.filter { ConfigPath.globMatch(req.of, $0) && informative($0, values: values) }
                if !cols.isEmpty { figureList.append("(\"benchmarks\", \(arrayLiteral(cols)))") }
            case .curve: figureList.append("(\"curve\", \(arrayLiteral([req.of] + (req.x.map { [$0] } ?? []))))")
            }
        }
        let pivotColumns = Array(Set(figureRequests.filter { $0.kind != .curve }.flatMap { r in columns.filter { ConfigPath.globMatch(r.of, $0) } }))
        let pivotOrdered = columns.filter { pivotColumns.contains($0) }
        let cells: [ConfigValue] = [
            markdown("# Study `\(plan.name)`\(plan.preset.isEmpty ? "" : " (preset `\(plan.preset)`)")\n\n**Question.** \(plan.question)\n\nSpec hash `\(plan.specHash.prefix(12))`; files: runs.csv (one row per run), summary.csv (per group over seeds: mean, std, 95% t-interval, bootstrap interval), metrics.csv (long curves). Paper figures as SVG in `figures/` (`bridge study export`); the cells below redraw them with matplotlib. Intervals of metrics with a bounded range (accuracies, rates: [0, 1]) are 95% t-intervals clipped to that range."),
            code("import pandas as pd\nimport matplotlib.pyplot as plt\n\nDIR = \(Format.jsonString(dataPath))\nGROUPS = \(groupList)\n# Group labels as bridge's figures show them (method, then the keys that differ between its groups).\nLABELS = \(labelDict)\n# Metrics whose values lie in a known range: intervals are clipped to it.\nBOUNDS = \(bounds)\nFIGURES = [\(figureList.joined(separator: ", "))]\n\ntext = {g: str for g in GROUPS}\nruns = pd.read_csv(f\"{DIR}/runs.csv\", dtype=text)\nsummary = pd.read_csv(f\"{DIR}/summary.csv\", dtype=text)\nmetrics = pd.read_csv(f\"{DIR}/metrics.csv\")\n\ndef label(frame):\n    if not GROUPS:\n        return pd.Series([\"all\"] * len(frame), index=frame.index)\n    return frame[GROUPS].astype(str).agg(\"|\".join, axis=1).map(LABELS)\n\nruns[\"group\"] = label(runs)\nsummary[\"group\"] = label(summary)\nfor col in (\"ci95_low\", \"ci95_high\"):\n    summary[col] = [min(max(v, BOUNDS[m][0]), BOUNDS[m][1]) if m in BOUNDS and v == v else v for v, m in zip(summary[col], summary[\"metric\"])]\nORDER = list(dict.fromkeys(summary[\"group\"]))\nruns.head()"),
            markdown("## Pivot table: mean [95% interval] per group (rows) and column (columns)"),
            code("PIVOT = \(arrayLiteral(pivotOrdered))\ndef cell(r):\n    if r[\"mean\"] != r[\"mean\"]:\n        return \"\"\n    if r[\"ci95_low\"] != r[\"ci95_low\"]:\n        return f\"{r['mean']:.3f}\"\n    return f\"{r['mean']:.3f} [{r['ci95_low']:.3f}, {r['ci95_high']:.3f}]\"\nrows = summary[summary.metric.isin(PIVOT)].copy()\nrows[\"cell\"] = rows.apply(cell, axis=1)\npivot = rows.pivot(index=\"group\", columns=\"metric\", values=\"cell\").reindex(index=ORDER, columns=PIVOT)\npivot"),
            markdown("## Figures: mean, 95% interval and every seed per group; curves smoothed with a band across seeds"),
            code("finished = runs[runs.status == \"finished\"]\nlong = metrics.merge(finished[[\"run_id\", \"group\"]], on=\"run_id\")\n\n# A figure leaves out the groups without a value in its columns and labels the rest among themselves\n# (method, then the keys that differ between its shown groups), as bridge's SVG figures do.\nHAS_METHOD = bool(GROUPS) and GROUPS[0] == \"method\"\nKEYS = summary.drop_duplicates(\"group\").set_index(\"group\")[GROUPS] if GROUPS else None\n\ndef shown_labels(shown):\n    if len(shown) == len(ORDER) or len(shown) < 2:\n        return {g: g for g in shown}\n    out = {}\n    for g in shown:\n        parts = []\n        for j, col in enumerate(GROUPS):\n            if HAS_METHOD and j == 0:\n                parts.append(KEYS.loc[g, col])\n                continue\n            peers = [h for h in shown if not HAS_METHOD or KEYS.loc[h, GROUPS[0]] == KEYS.loc[g, GROUPS[0]]]\n            if len({KEYS.loc[h, col] for h in peers}) > 1:\n                parts.append(f\"{col}={KEYS.loc[g, col]}\")\n        out[g] = \", \".join(parts) or \"all\"\n    return out\n\ndef axis_label(column):\n    name, _, how = column.partition(\":\")\n    name = name.removeprefix(\"eval/\").removeprefix(\"theory/\").replace(\"/\", \" \").replace(\"_\", \" \")\n    return f\"{name} ({how})\" if how else name\n\nfor kind, cols in FIGURES:\n    if kind == \"groups\":\n        col = cols[0]\n        s = summary[summary.metric == col].set_index(\"group\").reindex(ORDER)\n        shown = [g for g in ORDER if s.loc[g, \"n\"] > 0]\n        s, names = s.loc[shown], shown_labels(shown)\n        fig, ax = plt.subplots(figsize=(6, 0.45 * len(shown) + 1.2))\n        y = range(len(shown))\n        ax.errorbar(s[\"mean\"], y, xerr=[s[\"mean\"] - s[\"ci95_low\"], s[\"ci95_high\"] - s[\"mean\"]], fmt=\"o\", capsize=3, label=\"mean, 95% t-interval\")\n        for i, g in enumerate(shown):\n            v = finished.loc[finished.group == g, col].dropna()\n            ax.plot(v, [i] * len(v), \"o\", mfc=\"none\", color=\"gray\", label=\"single seeds\" if i == 0 else None)\n        ax.set_yticks(list(y), [f\"{names[g]} (n={n})\" for g, n in zip(shown, s[\"n\"])])\n        ax.invert_yaxis()\n        ax.set_xlabel(axis_label(col))\n        ax.legend(fontsize=8, loc=\"best\")\n    elif kind == \"benchmarks\":\n        picked = summary[summary.metric.isin(cols)]\n        shown = [g for g in ORDER if picked.loc[picked.group == g, \"n\"].max() > 0]\n        labels = shown_labels(shown)\n        fig, ax = plt.subplots(figsize=(7, 3.2))\n        width = 0.8 / max(len(shown), 1)\n        for j, g in enumerate(shown):\n            s = picked[picked.group == g].set_index(\"metric\").reindex(cols)\n            x = [i + (j - (len(shown) - 1) / 2) * width for i in range(len(cols))]\n            ax.bar(x, s[\"mean\"], width, yerr=[s[\"mean\"] - s[\"ci95_low\"], s[\"ci95_high\"] - s[\"mean\"]], capsize=2, label=labels[g])\n        names = [c.split(\"/\")[1] if c.count(\"/\") >= 2 else c for c in cols]\n        ax.set_xticks(range(len(cols)), names, rotation=30 if len(cols) > 4 else 0, ha=\"right\" if len(cols) > 4 else \"center\")\n        ax.set_xlabel(\"benchmark\")\n        ax.set_ylabel(axis_label(cols[0].split(\"/\")[0] + \"/\" + cols[0].split(\"/\")[-1]))\n        if max(map(len, labels.values()), default=0) > 30:  # long group labels: one column beside the plot\n            ax.legend(fontsize=7, loc=\"upper left\", bbox_to_anchor=(1.01, 1))\n        else:\n            ax.legend(fontsize=8, ncol=2)\n    else:\n        metric, x_metric = cols[0], (cols[1] if len(cols) > 1 else None)\n        fig, ax = plt.subplots(figsize=(6, 3.2))\n        data = long[long.metric == metric]\n        for g in ORDER:\n            per_seed = data[data.group == g].pivot_table(index=\"step\", columns=\"run_id\", values=\"value\").dropna()\n            if x_metric:  # place each step at the seeds' mean of x_metric there (steps where every seed logged both)\n                xs = long[(long.metric == x_metric) & (long.group == g)].pivot_table(index=\"step\", columns=\"run_id\", values=\"value\").dropna().mean(axis=1)\n                per_seed = per_seed[per_seed.index.isin(xs.index)]\n                per_seed.index = xs.reindex(per_seed.index).values\n            if per_seed.empty:\n                continue\n            window = max(1, len(per_seed) // 10)\n            smooth = per_seed.rolling(window, center=True, min_periods=1).mean()\n            mean, lo, hi = smooth.mean(axis=1), smooth.min(axis=1), smooth.max(axis=1)\n            line, = ax.plot(mean.index, mean.values, label=f\"{g} (n={per_seed.shape[1]})\")\n            ax.fill_between(mean.index, lo.values, hi.values, color=line.get_color(), alpha=0.2)\n        ax.set_xlabel(axis_label(x_metric) if x_metric else \"step\")\n        ax.set_ylabel(axis_label(metric))\n        ax.legend(fontsize=8)\n    what = cols[0] if len(cols) == 1 else f\"{cols[0]} vs {cols[1]}\" if kind == \"curve\" else cols[0] + ' …'\n    ax.set_title(f\"{kind}: {what}\", fontsize=9)\n    plt.tight_layout()\n    plt.show()"),
        ] + pairedCells(markdown, code) + timingCells(markdown, code) + [
            markdown("## All columns of summary.csv"),
            code("summary"),
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

    /// With `compare_to`: paired.csv's differences for the pivot's columns, as the pivot shows summary.csv.
    func pairedCells(_ markdown: (String) -> ConfigValue, _ code: (String) -> ConfigValue) -> [ConfigValue] {
        guard let reference = collector.plan.reference else { return [] }
        return [
            markdown("## Paired differences to `\(reference.label)` (paired.csv): mean [95% t-interval] of run − reference run over the seeds; * the interval excludes 0 over at least 3 pairs"),
            code("paired = pd.read_csv(f\"{DIR}/paired.csv\", dtype=text)\npaired[\"group\"] = label(paired)\nfor col in (\"mean_diff\", \"ci95_low\", \"ci95_high\"):\n    paired[col] = pd.to_numeric(paired[col])\ndef paired_cell(r):\n    if r[\"mean_diff\"] != r[\"mean_diff\"]:\n        return \"\"\n    if r[\"ci95_low\"] != r[\"ci95_low\"]:\n        return f\"{r['mean_diff']:+.3f}\"\n    star = \"*\" if r[\"resolved\"] == \"yes\" else \"\"\n    return f\"{r['mean_diff']:+.3f} [{r['ci95_low']:.3f}, {r['ci95_high']:.3f}]{star}\"\nprow = paired[paired.metric.isin(PIVOT)].copy()\nprow[\"cell\"] = prow.apply(paired_cell, axis=1)\nprow.pivot(index=\"group\", columns=\"metric\", values=\"cell\").reindex(index=[g for g in ORDER if g in set(prow.group)], columns=PIVOT)"),
        ]
    }

    /// Train studies: wall time, step time and memory per group from timings.csv (not byte-stable; wall
    /// times compare only runs that each had a core of their own).
    func timingCells(_ markdown: (String) -> ConfigValue, _ code: (String) -> ConfigValue) -> [ConfigValue] {
        guard collector.plan.kind == "train" else { return [] }
        return [
            markdown("## Timings per group (timings.csv, finished runs): mean, std and count over the seeds. Wall time includes the evaluations; step_s is seconds per update without them. Not byte-stable: compare wall times only between runs that each had a core of their own and nothing else running (`bridge study table DIR --timings` adds t-intervals and the paired ratio to the reference)"),
            code("timings = pd.read_csv(f\"{DIR}/timings.csv\").merge(runs[[\"run_id\", \"group\"]], on=\"run_id\")\nTIMED = [c for c in (\"wall_s\", \"step_s\", \"tokens_per_s\", \"peak_rss_mb\") if c in timings]\ntimings[timings.status == \"finished\"].groupby(\"group\")[TIMED].agg([\"mean\", \"std\", \"count\"]).reindex(ORDER).round(3)"),
        ]
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
