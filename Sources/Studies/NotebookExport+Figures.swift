import BridgeSupport
import Foundation

/// The figures of a study: the spec's curated set (`figures:`) or a small default set, each drawn by
/// `SVGChart` from the collected values (so they are as byte-stable as the CSVs).
extension NotebookExport {
    /// A finished figure and its file name.
    public struct NamedFigure: Sendable {
        public var name: String
        public var figure: SVGChart.Figure
    }

    /// What the interval marks mean, said on every figure (and in docs/studies.md).
    public static func intervalCaption(_ column: String) -> String {
        let clip = MetricRange.bounds(column: column).map {
            $0.upperBound.isFinite ? " clipped to [\(Format.number($0.lowerBound)), \(Format.number($0.upperBound))]" : " clipped at \(Format.number($0.lowerBound))"
        } ?? ""
        return "Filled: mean over seeds; bar: 95% t-interval\(clip); hollow: single seeds."
    }

    /// The same for bars: the bar is the mean.
    public static func barCaption(_ column: String) -> String {
        intervalCaption(column).replacingOccurrences(of: "Filled: mean over seeds; bar:", with: "Bar: mean over seeds; whisker:")
            .replacingOccurrences(of: "hollow: single seeds", with: "circles: single seeds")
    }

    /// The figures to draw: the spec's, else at most four chosen from `metrics:` — the first summarised
    /// column of each of the first two non-pattern metric entries, a groups × benchmarks chart for the first
    /// pattern entry that expands to several columns, and the curve of the first metric entry. Columns
    /// without a value or equal to 0 in every run are skipped (they say nothing).
    public var figureRequests: [FigureRequest] {
        if !collector.plan.figures.isEmpty { return collector.plan.figures }
        var out: [FigureRequest] = []
        var singles = 0
        for m in collector.plan.metrics {
            guard let how = m.how.first else { continue }
            if m.metric.contains("*") {
                if !out.contains(where: { $0.kind == .benchmarks }), collector.expand(m.metric).count > 1 {
                    out.append(FigureRequest(kind: .benchmarks, of: "\(m.metric):\(how.label)"))
                }
            } else if singles < 2 {
                out.append(FigureRequest(kind: .groups, of: "\(m.metric):\(how.label)")); singles += 1
            }
        }
        if let first = collector.plan.metrics.first, let name = collector.expand(first.metric).first {
            out.append(FigureRequest(kind: .curve, of: name))
        }
        return out
    }

    /// Finished-run indices per group, groups in first-appearance order.
    var finishedGroups: [(key: [String], runs: [Int])] {
        collector.groups().map { ($0.key, $0.runs.filter { collector.records[$0].status == "finished" }) }
    }

    func groupLabels(_ keys: [[String]]) -> [String] {
        NotebookExport.groupLabels(columns: collector.groupColumns, hasMethod: collector.plan.hasMethod, keys: keys)
    }

    /// Short group labels: the method, then `key=value` of each other varied key that differs between
    /// groups of the same method (keys that only follow the method, like the calibration's step counts,
    /// would only repeat it). Figures, notebooks and pivot tables all label groups this way.
    public static func groupLabels(columns cols: [String], hasMethod: Bool, keys: [[String]]) -> [String] {
        keys.map { key in
            var parts: [String] = []
            for (j, col) in cols.enumerated() {
                if hasMethod && j == 0 { parts.append(key[0]); continue }
                let peers = hasMethod ? keys.filter { $0[0] == key[0] } : keys
                if Set(peers.map { $0[j] }).count > 1 { parts.append("\(col)=\(key[j])") }
            }
            return parts.isEmpty ? "all" : parts.joined(separator: ", ")
        }
    }

    /// Labels of the groups a figure shows: the study's labels when it shows every group, else labels made
    /// among the shown ones (a theory study whose experiments log different metrics then labels its K = 5
    /// run `sweep.k=[5]`, not with every key that tells it from the other experiments' runs). Groups
    /// without a value are left out of a figure; their colours stay free, so every group keeps its colour.
    func shownLabels(_ shown: [Int], _ groups: [(key: [String], runs: [Int])], _ labels: [String]) -> [String] {
        shown.count == groups.count || shown.count < 2 ? shown.map { labels[$0] } : groupLabels(shown.map { groups[$0].key })
    }

    /// Per group: the column's per-seed values, mean and 95% t-interval clipped to the metric's range.
    func estimates(column: String, values: [[Double?]], groups: [(key: [String], runs: [Int])]) -> [SVGChart.Estimate]? {
        guard let c = collector.valueColumns.firstIndex(where: { $0.name == column }) else { return nil }
        return groups.map { g in
            let x = g.runs.compactMap { values[$0][c] }
            let s = Statistics.summarise(x, streamName: "figure/" + column)
            let (lo, hi) = MetricRange.clip(s.ciLow, s.ciHigh, column: column)
            return SVGChart.Estimate(mean: s.mean, low: lo, high: hi, points: x)
        }
    }

    /// Whether a column says something: some run has a nonzero value.
    func informative(_ column: String, values: [[Double?]]) -> Bool {
        guard let c = collector.valueColumns.firstIndex(where: { $0.name == column }) else { return false }
        return values.contains { ($0[c] ?? 0) != 0 }
    }

    /// Draws the requested figures (skipping those without data).
    public func figures() -> [NamedFigure] {
        let (_, values) = collector.runsTable()
        let groups = finishedGroups
        let labels = groupLabels(groups.map(\.key))
        let study = collector.plan.name
        var out: [NamedFigure] = []
        for req in figureRequests {
            switch req.kind {
            case .groups:
                guard informative(req.of, values: values), let est = estimates(column: req.of, values: values, groups: groups) else { continue }
                let shown = est.indices.filter { !est[$0].points.isEmpty }
                let fig = SVGChart.intervals(title: "\(study): \(req.of)", axisLabel: MetricRange.axisLabel(req.of),
                                             caption: NotebookExport.intervalCaption(req.of), labels: shownLabels(shown, groups, labels),
                                             estimates: shown.map { est[$0] }, bounds: MetricRange.bounds(column: req.of), colors: shown)
                out.append(NamedFigure(name: "groups-" + NotebookExport.fileSafe(req.of) + ".svg", figure: fig))
            case .benchmarks:
                // Every benchmark stays (an all-zero benchmark is a result); only an all-zero chart is skipped.
                let columns = collector.valueColumns.map(\.name).filter { ConfigPath.globMatch(req.of, $0) }
                guard columns.contains(where: { informative($0, values: values) }) else { continue }
                let est = columns.compactMap { estimates(column: $0, values: values, groups: groups) }
                let shown = groups.indices.filter { g in est.contains { !$0[g].points.isEmpty } }
                let perGroup = shown.map { g in est.map { $0[g] } }
                let leaf = columns[0].split(separator: "/").last.map(String.init) ?? columns[0]
                let fig = SVGChart.groupedBars(title: "\(study): \(req.of)", axisLabel: MetricRange.axisLabel(leaf),
                                               caption: NotebookExport.barCaption(columns[0]) + " n = \(groups.map { $0.runs.count }.max() ?? 0) seeds per group.",
                                               categories: NotebookExport.shortNames(columns), groups: shownLabels(shown, groups, labels), estimates: perGroup,
                                               bounds: MetricRange.bounds(column: columns[0]), colors: shown)
                out.append(NamedFigure(name: "benchmarks-" + NotebookExport.fileSafe(req.of.replacingOccurrences(of: "*", with: "")) + ".svg", figure: fig))
            case .curve:
                let curves = bandCurves(req.of, x: req.x, groups: groups, labels: labels)
                guard curves.contains(where: { !$0.steps.isEmpty }) else { continue }
                let smooth = curves.contains { $0.steps.count > 20 }
                let caption = "Line: mean over seeds" + (smooth ? " (moving average over 5% of the steps)" : "")
                    + "; band: lowest to highest seed" + (req.x.map { "; x: mean over seeds of \($0) at the same step." } ?? ".")
                let fig = SVGChart.curves(title: "\(study): \(req.of)" + (req.x.map { " vs \($0)" } ?? ""), axisLabel: MetricRange.axisLabel(req.of),
                                          xLabel: req.x.map { MetricRange.axisLabel($0) } ?? "step", caption: caption,
                                          curves: curves, bounds: MetricRange.bounds(column: req.of))
                let name = "curve-" + NotebookExport.fileSafe(req.of) + (req.x.map { "-vs-" + NotebookExport.fileSafe($0) } ?? "")
                out.append(NamedFigure(name: name + ".svg", figure: fig))
            }
        }
        return out
    }

    /// The part of each column that differs from the others, cut at "/", "_" or ":" ("b1_indist" and
    /// "mean" of "eval/b1_indist/accuracy:final" and "eval/mean_accuracy:final").
    public static func shortNames(_ columns: [String]) -> [String] {
        guard columns.count > 1 else { return columns.map { MetricRange.axisLabel($0) } }
        let chars = columns.map(Array.init)
        let shortest = chars.map(\.count).min() ?? 0
        func isSep(_ c: Character) -> Bool { c == "/" || c == "_" || c == ":" }
        var p = 0
        while p < shortest, Set(chars.map { $0[p] }).count == 1 { p += 1 }
        while p > 0, !isSep(chars[0][p - 1]) { p -= 1 }
        var q = 0
        while q < shortest - p, Set(chars.map { $0[$0.count - 1 - q] }).count == 1 { q += 1 }
        // The suffix must start a word: every column has a separator just before it.
        while q > 0, !chars.allSatisfy({ $0.count - q - 1 >= p && isSep($0[$0.count - q - 1]) }) { q -= 1 }
        let out = chars.map { String($0[p..<($0.count - q)]).trimmingCharacters(in: CharacterSet(charactersIn: "/_:")) }
        return out.contains(where: \.isEmpty) || Set(out).count < out.count ? columns : out
    }

    /// The curves a `curve` request draws, one per group in figure order (x: the step, or the request's x metric).
    public func curveData(_ request: FigureRequest) -> [SVGChart.Curve] {
        let groups = finishedGroups
        return bandCurves(request.of, x: request.x, groups: groups, labels: groupLabels(groups.map(\.key)))
    }

    /// Per group: mean over finished seeds at each step they all logged, the lowest and highest seed as the
    /// band; curves longer than 20 points are smoothed by a centred moving average over 5% of the points
    /// (raw per-step RL statistics are too noisy to compare by eye; the CSV keeps the raw values).
    /// With `x`, only the steps at which every seed also logged `x` are kept, and each is placed at the
    /// mean of the seeds' `x` there (equal across seeds for the data counters of a data budget).
    func bandCurves(_ metric: String, x: String? = nil, groups: [(key: [String], runs: [Int])], labels: [String]) -> [SVGChart.Curve] {
        zip(groups, labels).map { g, label in
            let curves = g.runs.compactMap { collector.records[$0].curves[metric] }
            var byStep: [Int: [Double]] = [:]
            for c in curves { for (s, v) in zip(c.steps, c.values) { byStep[s, default: []].append(v) } }
            var xByStep: [Int: [Double]] = [:]
            if let x {
                let xCurves = g.runs.compactMap { collector.records[$0].curves[x] }
                for c in xCurves where xCurves.count == curves.count { for (s, v) in zip(c.steps, c.values) { xByStep[s, default: []].append(v) } }
            }
            let steps = byStep.keys.sorted().filter {
                byStep[$0]!.count == curves.count && !curves.isEmpty && (x == nil || xByStep[$0]?.count == curves.count)
            }
            var mean = steps.map { Statistics.mean(byStep[$0]!) }
            var low = steps.map { byStep[$0]!.min()! }, high = steps.map { byStep[$0]!.max()! }
            if steps.count > 20 {
                let half = max(1, steps.count / 40)
                func smooth(_ a: [Double]) -> [Double] {
                    a.indices.map { i in Statistics.mean(Array(a[max(0, i - half)...min(a.count - 1, i + half)])) }
                }
                mean = smooth(mean); low = smooth(low); high = smooth(high)
            }
            let xs = x == nil ? steps.map(Double.init) : steps.map { Statistics.mean(xByStep[$0]!) }
            return SVGChart.Curve(name: label, steps: xs, mean: mean, low: low, high: high, n: curves.count)
        }
    }
}
