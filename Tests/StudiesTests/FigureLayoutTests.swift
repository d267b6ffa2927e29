import BridgeSupport
import Foundation
import Studies
import Testing

/// Layout of the paper figures: every text box (width estimated from the font size) inside the canvas and
/// no two overlapping; round ticks; intervals of bounded metrics inside their range; readable size.
@Suite struct FigureLayoutTests {
    func checkLayout(_ fig: SVGChart.Figure, _ what: String) {
        for t in fig.texts {
            #expect(t.x0 >= 0 && t.y0 >= 0 && t.x1 <= fig.width && t.y1 <= fig.height, "\(what): '\(t.text)' leaves the canvas (\(t), canvas \(fig.width)×\(fig.height))")
        }
        for i in fig.texts.indices {
            for j in fig.texts.indices where j > i && fig.texts[i].overlaps(fig.texts[j]) {
                Issue.record("\(what): '\(fig.texts[i].text)' overlaps '\(fig.texts[j].text)'")
            }
        }
        // ≥ 8 pt when printed at the figure's width in inches (1 unit = 1/100 in, 1 pt = 1/72 in).
        #expect(SVGChart.fontSize * 0.72 >= 8)
        #expect(fig.svg.contains("width=\"\(Format.number(fig.width / 100))in\""))
    }

    static let longLabels = ["sft, optim_theta.lr=3e-05, optim_theta.warmup_steps=0, optim_w.warmup_steps=0, optim_w.lr=0.0003",
                             "rl_zero, optim_theta.lr=0.0001, rl.prompts_per_step=8, rl.group_size=16", "bridge", "cold_start",
                             "a_single_very_long_unbreakable_group_label_that_is_wide"]

    func estimate(_ m: Double) -> SVGChart.Estimate { .init(mean: m, low: m - 0.3, high: min(1, m + 0.3), points: [m - 0.02, m + 0.02]) }

    @Test func intervalChartLayout() {
        // The second axis label is a theory slope's: wider than a single column's plot.
        for axis in ["validation accuracy (final)", MetricRange.axisLabel("theory/slope_penalty_residual_vs_gamma_corrected_ci_high:final")] {
            for labels in [["base", "sft", "bridge"], ["quadratic.mu=1"], FigureLayoutTests.longLabels] {
                let fig = SVGChart.intervals(title: "t", axisLabel: axis, caption: NotebookExport.intervalCaption("eval/validation/accuracy:final"),
                                             labels: labels, estimates: labels.indices.map { estimate(0.1 + 0.1 * Double($0)) }, bounds: 0...1)
                checkLayout(fig, "intervals \(labels.count), axis '\(axis)'")
            }
        }
    }

    @Test func groupedBarsLayout() {
        for (cats, groups) in [(["b1_indist", "b2_harder", "b5_compose"], ["base", "sft"]),
                               (["b1_indist", "b2_harder", "b3_longer", "b4_deeper", "b5_compose"], ["base", "sft", "rl_zero", "cold_start", "alternating", "mix", "bridge"]),
                               (["b1"], FigureLayoutTests.longLabels)] {
            let fig = SVGChart.groupedBars(title: "t", axisLabel: "accuracy (final)", caption: "Filled bar: mean; whisker: 95% t-interval clipped to [0, 1]; dots: seeds.",
                                           categories: cats, groups: groups, estimates: groups.map { _ in cats.indices.map { estimate(0.05 * Double($0 + 1)) } }, bounds: 0...1)
            checkLayout(fig, "bars \(cats.count)×\(groups.count)")
        }
    }

    @Test func curvesLayout() {
        for names in [["base", "sft"], FigureLayoutTests.longLabels] {
            let steps = (0...150).map(Double.init)
            let curves = names.enumerated().map { i, n in
                SVGChart.Curve(name: n, steps: steps, mean: steps.map { 0.1 + Double(i) * 0.01 + $0 / 1000 }, low: steps.map { $0 / 1000 }, high: steps.map { 0.3 + $0 / 1000 }, n: 3)
            }
            checkLayout(SVGChart.curves(title: "t", axisLabel: "rl reward mean", caption: "Line: mean over seeds; band: lowest to highest seed.", curves: curves, bounds: nil), "curves \(names.count)")
        }
    }

    @Test func niceTicksAreRound() {
        let t = SVGChart.niceTicks(-0.1882, 0.1691, maxTicks: 5)
        #expect(t.labels == ["−0.2", "−0.1", "0.0", "0.1", "0.2"])
        #expect(SVGChart.niceTicks(0, 300, maxTicks: 5).labels == ["0", "100", "200", "300"])
        #expect(SVGChart.niceTicks(0.031, 0.044, maxTicks: 6).labels.allSatisfy { $0.count <= 5 })
        #expect(SVGChart.niceTicks(0, 1, maxTicks: 5).labels == ["0.00", "0.25", "0.50", "0.75", "1.00"])
    }

    @Test func boundedIntervalsAreClipped() {
        #expect(MetricRange.bounds(column: "eval/b1_indist/accuracy:final") == 0...1)
        #expect(MetricRange.bounds(column: "eval/b1_indist/accuracy_mul:final") == 0...1, "a family accuracy is an accuracy")
        #expect(MetricRange.bounds(column: "rl/frac_zero_std:mean_first10") == 0...1)
        #expect(MetricRange.bounds(column: "eval/probe_sft_only/accuracy:bwt") == -1...1)
        #expect(MetricRange.bounds(column: "eval/validation/nll:final") == 0...Double.infinity)
        #expect(MetricRange.bounds(column: "train/loss:final") == nil)
        let (lo, hi) = MetricRange.clip(-0.19, 0.4, column: "eval/mean_accuracy:final")
        #expect(lo == 0 && hi == 0.4)
    }
}

@Suite struct StudyFigureSetTests {
    @Test func defaultSetIsSmallAndLaidOut() throws {
        let dir = try temporaryFolder("figset")
        try runInProcess(toySpecText, dir: dir, preset: "quick")
        let figs = NotebookExport(collector: try Collector(dir: dir)).figures()
        #expect(figs.map(\.name) == ["groups-train_loss_final.svg", "groups-eval_toy_fit_final.svg", "curve-train_loss.svg"])
        for f in figs {
            for t in f.figure.texts { #expect(t.x0 >= 0 && t.x1 <= f.figure.width && t.y0 >= 0 && t.y1 <= f.figure.height, "\(f.name): \(t.text)") }
        }
    }

    @Test func specFiguresAreUsedAndLeaveTheHash() throws {
        let curated = toySpecText.replacingOccurrences(of: "presets:", with: "figures:\n  - curve: eval/toy/fit\n  - groups: train/loss:min\npresets:")
        let a = try StudySpec.parse(yaml: toySpecText, source: "a.yaml"), b = try StudySpec.parse(yaml: curated, source: "b.yaml")
        #expect(a.hash == b.hash)
        #expect(b.figures == [FigureRequest(kind: .curve, of: "eval/toy/fit"), FigureRequest(kind: .groups, of: "train/loss:min")])
        let bad = toySpecText.replacingOccurrences(of: "presets:", with: "figures:\n  - curves: eval/toy/fit\npresets:")
        #expect(throws: (any Error).self) { try StudySpec.parse(yaml: bad, source: "c.yaml") }
        let dir = try temporaryFolder("figspec")
        try runInProcess(curated, dir: dir, preset: "quick")
        #expect(NotebookExport(collector: try Collector(dir: dir)).figures().map(\.name) == ["curve-eval_toy_fit.svg", "groups-train_loss_min.svg"])
    }

    /// `{curve: M, x: X}` places each step of M's mean curve at the seeds' mean of X at that step (the
    /// cost study plots accuracy against data/rollouts this way); x is refused on other figure kinds.
    @Test func curveAgainstAnotherMetricSitsAtThatMetricsValues() throws {
        let curated = toySpecText.replacingOccurrences(of: "presets:", with: "figures:\n  - {curve: eval/toy/fit, x: eval/toy/retention}\npresets:")
        let spec = try StudySpec.parse(yaml: curated, source: "x.yaml")
        #expect(spec.figures == [FigureRequest(kind: .curve, of: "eval/toy/fit", x: "eval/toy/retention")])
        #expect(spec.hash == (try StudySpec.parse(yaml: toySpecText, source: "a.yaml")).hash)
        let bad = toySpecText.replacingOccurrences(of: "presets:", with: "figures:\n  - {groups: train/loss:min, x: eval/toy/retention}\npresets:")
        #expect(throws: (any Error).self) { try StudySpec.parse(yaml: bad, source: "c.yaml") }
        let dir = try temporaryFolder("figx")
        try runInProcess(curated, dir: dir, preset: "quick")
        let export = NotebookExport(collector: try Collector(dir: dir))
        #expect(export.figures().map(\.name) == ["curve-eval_toy_fit-vs-eval_toy_retention.svg"])
        #expect(export.figures().first?.figure.texts.contains { $0.text == "toy retention" } == true)
        // By hand from the CSVs: group = (method, learning_rate); per step the mean over the group's seeds.
        let runs = CSVTable.parse(try read(dir, "runs.csv")), metrics = CSVTable.parse(try read(dir, "metrics.csv"))
        let col = { (name: String) in runs.header.firstIndex(of: name)! }
        var groupOf: [String: String] = [:], order: [String] = []
        for r in runs.rows {
            let g = r[col("method")] + "|" + r[col("learning_rate")]
            groupOf[r[col("run_id")]] = g
            if !order.contains(g) { order.append(g) }
        }
        func means(_ metric: String, _ group: String) -> [Double] {
            var byStep: [Int: [Double]] = [:]
            for m in metrics.rows where m[2] == metric && groupOf[m[0]] == group { byStep[Int(m[1])!, default: []].append(Double(m[3])!) }
            return byStep.keys.sorted().map { byStep[$0]!.reduce(0, +) / Double(byStep[$0]!.count) }
        }
        let curves = export.curveData(spec.figures[0])
        #expect(curves.count == order.count)
        for (curve, group) in zip(curves, order) {
            let x = means("eval/toy/retention", group), y = means("eval/toy/fit", group)
            #expect(!x.isEmpty && curve.steps.count == x.count)
            #expect(zip(curve.steps, x).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) }, "\(group): x \(curve.steps) vs \(x)")
            #expect(zip(curve.mean, y).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) }, "\(group): y")
        }
    }

    /// A group without a value for a figure's column is left out of that figure (a theory study's
    /// experiments log different metrics), and the groups shown keep the colours they have elsewhere.
    @Test func groupsWithoutValuesAreLeftOutAndKeepColours() throws {
        let curated = toySpecText.replacingOccurrences(of: "presets:", with: "figures:\n  - groups: eval/toy/fit:final\n  - benchmarks: eval/toy/fit:*\npresets:")
        let dir = try temporaryFolder("figdrop")
        try runInProcess(curated, dir: dir, preset: "quick")
        let copy = try temporaryFolder("figdrop-copy")
        for f in ["study.json", "runs.csv", "metrics.csv", "summary.csv", "timings.csv"] {
            try FileManager.default.copyItem(at: dir.appendingPathComponent(f), to: copy.appendingPathComponent(f))
        }
        // Drop eval/toy/fit from the runs of the second group (sgd, learning_rate=0.2).
        let runs = CSVTable.parse(try read(dir, "runs.csv"))
        let lr = runs.header.firstIndex(of: "learning_rate")!, method = runs.header.firstIndex(of: "method")!
        let dropped = Set(runs.rows.filter { $0[method] == "sgd" && $0[lr] == "0.2" }.map { $0[0] })
        #expect(dropped.count == 2)
        let kept = try read(dir, "metrics.csv").split(separator: "\n", omittingEmptySubsequences: false)
            .filter { line in !(line.contains(",eval/toy/fit,") && dropped.contains(String(line.prefix { $0 != "," }))) }
        try kept.joined(separator: "\n").write(to: copy.appendingPathComponent("metrics.csv"), atomically: true, encoding: .utf8)
        // Label → colour from the marks' tooltips: "label: value" (intervals), "label, category: value" (bars).
        func colours(_ fig: NotebookExport.NamedFigure) throws -> [String: String] {
            var out: [String: String] = [:]
            for m in fig.figure.svg.matches(of: try Regex(#"fill="(#[0-9a-fA-F]+)"[^>]*><title>([^:<]+):"#)) {
                var label = String(m.output[2].substring!)
                if fig.name.hasPrefix("benchmarks-"), let cut = label.range(of: ", ", options: .backwards) { label = String(label[..<cut.lowerBound]) }
                out[label] = String(m.output[1].substring!)
            }
            return out
        }
        let all = NotebookExport(collector: try Collector(dir: dir)).figures()
        let some = NotebookExport(collector: try Collector(dir: copy)).figures()
        #expect(all.map(\.name) == some.map(\.name) && all.count == 2)
        for (a, b) in zip(all, some) {
            let (ca, cb) = (try colours(a), try colours(b))
            #expect(ca.count == 4 && cb.count == 3, "\(a.name): \(ca) / \(cb)")
            // Labels are made among the shown groups: the one sgd group left is just "sgd".
            #expect(Set(cb.keys) == ["sgd", "heavy_ball, learning_rate=0.05", "heavy_ball, learning_rate=0.2"], "\(cb.keys)")
            #expect(cb["sgd"] == ca["sgd, learning_rate=0.05"])
            #expect(Set(cb.values) == Set(ca.values).subtracting([ca["sgd, learning_rate=0.2"]!]))
            for label in ["heavy_ball, learning_rate=0.05", "heavy_ball, learning_rate=0.2"] { #expect(cb[label] == ca[label], "\(a.name): \(label)") }
        }
        #expect(some[0].figure.texts.filter { $0.text.hasPrefix("n=") }.count == 3)
    }

    /// A committed study (CSVs without run folders) collects back to the same bytes.
    @Test func committedStudyReadsFromItsCSVs() throws {
        let dir = try temporaryFolder("figcsv")
        try runInProcess(toySpecText, dir: dir, preset: "quick")
        let copy = try temporaryFolder("figcsv-copy")
        for f in ["study.json", "runs.csv", "metrics.csv", "summary.csv", "timings.csv"] {
            try FileManager.default.copyItem(at: dir.appendingPathComponent(f), to: copy.appendingPathComponent(f))
        }
        let c = try Collector(dir: copy)
        #expect(c.fromCSV)
        let (runs, values) = c.runsTable()
        #expect(runs.text == (try read(dir, "runs.csv")))
        #expect(c.summaryTable(values: values).text == (try read(dir, "summary.csv")))
        #expect(c.metricsTable().text == (try read(dir, "metrics.csv")))
    }
}

@Suite struct PivotTableTests {
    let summary = CSVTable.parse("""
    method,metric,n,n_not_finished,mean,std,stderr,ci95_low,ci95_high,boot_low,boot_high
    sft,eval/b1_indist/accuracy:final,2,0,0.05,0.02,0.01,-0.08,0.18,0.04,0.06
    sft,eval/b2_harder/accuracy:final,2,0,0.5,0.1,0.07,-0.4,1.4,0.4,0.6
    sft,eval/mean_accuracy:final,2,0,0.2,0.1,0.07,0.1,0.3,0.1,0.3
    bridge,eval/b1_indist/accuracy:final,2,0,0.07,0.02,0.01,0.06,0.08,0.06,0.08
    bridge,eval/b2_harder/accuracy:final,2,0,0.6,0.1,0.07,0.5,0.7,0.5,0.7
    bridge,eval/mean_accuracy:final,2,0,0.3,0.1,0.07,0.2,0.4,0.2,0.4

    """)
    let paired = CSVTable.parse("""
    method,reference,metric,n_pairs,mean_diff,std,stderr,ci95_low,ci95_high,boot_low,boot_high,resolved
    bridge,sft,eval/b1_indist/accuracy:final,2,0.02,0,0,0.01,0.03,0.01,0.03,yes
    bridge,sft,eval/b2_harder/accuracy:final,2,0.1,0.1,0.07,-0.8,1,0,0.2,no
    bridge,sft,eval/mean_accuracy:final,2,0.1,0.1,0.07,-0.8,1,0,0.2,no

    """)

    @Test func markdownLatexCsv() throws {
        let t = try PivotTable(summary: summary, paired: paired, patterns: [])
        #expect(t.headers == ["b1_indist", "b2_harder", "mean"])
        let md = t.render(.md, digits: 3)
        #expect(md.contains("| group | n | b1_indist | b2_harder | mean |"))
        #expect(md.contains("| sft | 2 | 0.050 [0.000, 0.180] | 0.500 [0.000, 1.000] | 0.200 [0.100, 0.300] |"), "t-intervals clipped to [0, 1]\n\(md)")
        #expect(md.contains("| bridge − sft | 2 | 0.020 [0.010, 0.030]* | 0.100 [−0.800, 1.000] |"), "\(md)")
        let tex = t.render(.latex, digits: 2)
        #expect(tex.contains("\\toprule") && tex.contains("\\midrule") && tex.contains("\\bottomrule") && tex.contains("b1\\_indist"))
        #expect(tex.contains("bridge $-$ sft & 2 & 0.02 [0.01, 0.03]*"))
        let csv = CSVTable.parse(t.render(.csv, digits: 3))
        #expect(csv.header.prefix(4) == ["block", "group", "n", "eval/b1_indist/accuracy:final mean"] && csv.rows.count == 3)
        #expect(throws: PivotTable.Problem.self) { try PivotTable(summary: summary, paired: nil, patterns: ["eval/b9*"]) }
        #expect(try PivotTable(summary: summary, paired: nil, patterns: ["eval/mean_accuracy:final"]).rows.count == 2)
    }
}
