import BridgeSupport
import Foundation

/// Collects a study folder into DIR/runs.csv, metrics.csv, summary.csv and timings.csv.
///
/// Everything except timings.csv depends only on the plan and the runs' metrics and results, in plan
/// order: a study killed and resumed, or run with a different number of workers, collects to the same bytes.
public struct Collector {
    public let dir: URL
    public let plan: StudyPlan
    public let records: [RunRecord]

    /// True when the folder holds the collected CSVs but no run folders (a study committed to the
    /// repository, e.g. docs/results/<study>/): the records are read back from runs.csv, metrics.csv and
    /// timings.csv, and the CSVs are the source, never rewritten.
    public let fromCSV: Bool

    public init(dir: URL) throws {
        self.dir = dir
        plan = try StudyPlan.read(from: dir)
        if let saved = Collector.recordsFromCSV(dir: dir, plan: plan) {
            records = saved; fromCSV = true
        } else {
            records = plan.runs.map { RunRecord.read(dir: dir, runId: $0.runId) }; fromCSV = false
        }
    }

    /// The records of a folder without runs/ but with runs.csv and metrics.csv (nil otherwise). Values
    /// in the CSVs are shortest round-trip numbers, so collecting them again gives the same bytes.
    static func recordsFromCSV(dir: URL, plan: StudyPlan) -> [RunRecord]? {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: dir.appendingPathComponent("runs").path),
              let runsText = try? String(contentsOf: dir.appendingPathComponent("runs.csv"), encoding: .utf8),
              let metricsText = try? String(contentsOf: dir.appendingPathComponent("metrics.csv"), encoding: .utf8) else { return nil }
        let runs = CSVTable.parse(runsText)
        guard let id = runs.header.firstIndex(of: "run_id"), let st = runs.header.firstIndex(of: "status"),
              let er = runs.header.firstIndex(of: "error") else { return nil }
        var byId: [String: RunRecord] = [:]
        for r in runs.rows where r.count == runs.header.count {
            byId[r[id]] = RunRecord(status: r[st], error: r[er], timings: [:], metrics: MetricLog(runId: r[id]))
        }
        for r in CSVTable.parse(metricsText).rows where r.count == 4 {
            if let step = Int(r[1]), let v = Double(r[3]), v.isFinite { byId[r[0]]?.metrics.log(step: step, r[2], v) }
        }
        if let t = try? String(contentsOf: dir.appendingPathComponent("timings.csv"), encoding: .utf8) {
            let table = CSVTable.parse(t)
            if let tid = table.header.firstIndex(of: "run_id") {
                for r in table.rows where r.count == table.header.count {
                    for (k, cell) in zip(table.header, r) { if let v = Double(cell) { byId[r[tid]]?.timings[k] = v } }
                }
            }
        }
        return plan.runs.map { byId[$0.runId] ?? RunRecord(status: "pending", error: "", timings: [:], metrics: MetricLog(runId: $0.runId)) }
    }

    /// Metric names logged by any run, sorted (the wildcard patterns expand against these).
    public var loggedMetrics: [String] {
        Array(Set(records.flatMap { $0.metrics.rows.map(\.metric) })).sorted()
    }

    /// Metric names a pattern stands for: itself when it has no `*`, else the logged names it matches.
    func expand(_ pattern: String) -> [String] {
        pattern.contains("*") ? loggedMetrics.filter { ConfigPath.globMatch(pattern, $0) } : [pattern]
    }

    /// (column name, how to compute it from a run's curves) for every per-run value column, in order.
    public var valueColumns: [(name: String, value: ([String: (steps: [Int], values: [Double])]) -> Double?)] {
        var out: [(name: String, value: ([String: (steps: [Int], values: [Double])]) -> Double?)] = []
        for m in plan.metrics {
            for name in expand(m.metric) {
                for how in m.how {
                    out.append(("\(name):\(how.label)", { c in c[name].flatMap { CurveSummary.aggregate(how, steps: $0.steps, values: $0.values) } }))
                }
            }
        }
        var tracked: [String] = []
        for p in plan.forgetting { for n in expand(p) where !tracked.contains(n) { tracked.append(n) } }
        for name in tracked {
            func f(_ c: [String: (steps: [Int], values: [Double])]) -> CurveSummary.Forgetting? {
                c[name].flatMap { CurveSummary.forgetting(steps: $0.steps, values: $0.values) }
            }
            out.append(("\(name):peak_drop", { f($0)?.peakDrop }))
            out.append(("\(name):bwt", { f($0)?.backwardTransfer }))
            out.append(("\(name):drop_step", { f($0)?.dropStep.map(Double.init) }))
        }
        return out
    }

    /// Group columns of summary.csv: method (if present) then the varied keys.
    public var groupColumns: [String] { (plan.hasMethod ? ["method"] : []) + otherVaried }

    /// Varied keys other than `method` (which has its own column when the configs have one).
    var otherVaried: [String] { plan.varied.filter { !(plan.hasMethod && $0 == plan.methodKey) } }

    /// A run's varied values without `method`, aligned with `otherVaried`.
    func otherValues(_ r: StudyPlan.Run) -> [String] {
        zip(plan.varied, r.values).filter { !(plan.hasMethod && $0.0 == plan.methodKey) }.map(\.1)
    }

    func groupValues(_ r: StudyPlan.Run) -> [String] { (plan.hasMethod ? [r.method] : []) + otherValues(r) }

    /// Indices of the runs `include` picks, per parameter group (`groupValues`), groups in order of first
    /// appearance in the plan: the grouping of summary.csv, paired.csv, the timing table and the figures.
    func groups(where include: (StudyPlan.Run) -> Bool = { _ in true }) -> [(key: [String], runs: [Int])] {
        var order: [[String]] = [], members: [[String]: [Int]] = [:]
        for (i, r) in plan.runs.enumerated() where include(r) {
            let key = groupValues(r)
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(i)
        }
        return order.map { ($0, members[$0]!) }
    }

    /// A group as `column=value` pairs joined by commas: the prefix of its bootstrap streams.
    func groupLabel(_ key: [String]) -> String { zip(groupColumns, key).map { "\($0)=\($1)" }.joined(separator: ",") }

    /// runs.csv's budget columns for training studies: what each run drew in all (the last value of its
    /// data/ curve), so a table states the budget its rows were compared at.
    public static let drawnColumns: [(column: String, metric: String)] = [
        ("rollouts", DataMetricNames.rollouts), ("sft_examples", DataMetricNames.sftExamples), ("flops", DataMetricNames.flops),
    ]

    /// runs.csv: one row per run in plan order, and the value matrix (runs × value columns) it shows.
    public func runsTable() -> (table: CSVTable, values: [[Double?]]) {
        let cols = valueColumns
        let head = ["run_id", "study", "kind"] + (plan.hasMethod ? ["method"] : []) + ["seed"] + otherVaried
        let drawn = plan.kind == "train" ? Collector.drawnColumns : []
        var table = CSVTable(columns: head + cols.map(\.name) + drawn.map(\.column) + ["status", "error"])
        var matrix: [[Double?]] = []
        for (run, rec) in zip(plan.runs, records) {
            let curves = rec.metrics.rows.isEmpty ? [:] : rec.curves
            let values = cols.map { $0.value(curves) }
            matrix.append(values)
            var cells: [CSVTable.Cell] = [.text(run.runId), .text(plan.name), .text(plan.kind)]
            if plan.hasMethod { cells.append(.text(run.method)) }
            cells.append(.integer(run.seed))
            cells += otherValues(run).map { .text($0) }
            cells += values.map { $0.map { .number($0) } ?? .empty }
            cells += drawn.map { d in rec.metrics.rows.last { $0.metric == d.metric }.map { .number($0.value) } ?? .empty }
            cells += [.text(rec.status), .text(rec.error)]
            table.append(cells)
        }
        return (table, matrix)
    }

    /// metrics.csv: every run's metric rows, runs in plan order, rows in logged order.
    public func metricsTable() -> CSVTable {
        var table = CSVTable(columns: MetricLog.columns)
        for rec in records {
            for r in rec.metrics.rows { table.append([.text(rec.metrics.runId), .integer(r.step), .text(r.metric), .number(r.value)]) }
        }
        return table
    }

    public static let summaryStatColumns = ["metric", "n", "n_not_finished", "mean", "std", "stderr", "ci95_low", "ci95_high", "boot_low", "boot_high"]

    /// summary.csv: per parameter group (first-appearance order) and value column, statistics over the
    /// group's finished runs (seeds). Diverged, failed and pending runs are counted in n_not_finished.
    public func summaryTable(values: [[Double?]]) -> CSVTable {
        let gcols = groupColumns
        var table = CSVTable(columns: gcols + Collector.summaryStatColumns)
        let cols = valueColumns
        for (key, idx) in groups() {
            let finished = idx.filter { records[$0].status == "finished" }
            let label = groupLabel(key)
            for (c, col) in cols.enumerated() {
                let x = finished.compactMap { values[$0][c] }
                let s = Statistics.summarise(x, streamName: label + "/" + col.name)
                func cell(_ v: Double?) -> CSVTable.Cell { v.map { .number($0) } ?? .empty }
                table.append(key.map { .text($0) } + [.text(col.name), .integer(s.n), .integer(idx.count - finished.count),
                             cell(s.mean), cell(s.std), cell(s.stderr), cell(s.ciLow), cell(s.ciHigh), cell(s.bootLow), cell(s.bootHigh)])
            }
        }
        return table
    }

    /// Fewest pairs for which paired.csv calls a difference resolved.
    public static let minimumPairsForVerdict = 3

    public static let pairedColumns = ["reference", "metric", "n_pairs", "mean_diff", "std", "stderr", "ci95_low", "ci95_high",
                                       "boot_low", "boot_high", "resolved"]

    /// The groups off the reference (plan.reference: a method, or a point of varied values) in plan
    /// order, each with its pairs (run, reference run): the reference run with the same seed and the same
    /// other varied values, where both finished. Pairing matches the varied values the reference does
    /// not fix, where the reference itself varies over them; a value the reference takes only one of (a
    /// key only another method's explicit runs set, e.g. bridge.teacher_point in main_table) does not
    /// split the pairs: every run of the seed is paired with that one reference run. Empty without a
    /// reference.
    public func pairing() -> [(group: [String], pairs: [(run: Int, reference: Int)])] {
        guard let reference = plan.reference else { return [] }
        if case .method = reference, !plan.hasMethod { return [] }
        struct Key: Hashable { var seed: Int; var others: [String] }
        let referenceRuns = plan.runs.filter(plan.isReference)
        let fixed = plan.referenceFixed
        let matched = plan.varied.indices.filter { k in !fixed.contains(k) && Set(referenceRuns.map { $0.values[k] }).count > 1 }
        func pairKey(_ r: StudyPlan.Run) -> Key { Key(seed: r.seed, others: matched.map { r.values[$0] }) }
        var referenceIndex: [Key: Int] = [:]
        for (i, r) in plan.runs.enumerated() where plan.isReference(r) && records[i].status == "finished" {
            referenceIndex[pairKey(r)] = i
        }
        return groups { !plan.isReference($0) }.map { key, runs in
            (key, runs.compactMap { i in
                guard records[i].status == "finished" else { return nil }
                return referenceIndex[pairKey(plan.runs[i])].map { (i, $0) }
            })
        }
    }

    /// paired.csv: for every group off the reference, each value column's difference to the reference
    /// run (`pairing`) over the seeds where both finished: mean, t and bootstrap intervals, and
    /// `resolved` = yes when the 95% t-interval excludes 0 over at least 3 pairs. Pairing removes the
    /// variance the two runs share (base model, data, evaluation set of that seed), which unpaired
    /// intervals of summary.csv keep.
    public func pairedTable(values: [[Double?]]) -> CSVTable {
        var table = CSVTable(columns: groupColumns + Collector.pairedColumns)
        guard let label = plan.reference?.label else { return table }
        for (key, pairs) in pairing() {
            let group = groupLabel(key)
            for (c, col) in valueColumns.enumerated() {
                let d = pairs.compactMap { p -> Double? in
                    guard let a = values[p.run][c], let b = values[p.reference][c] else { return nil }
                    return a - b
                }
                let s = Statistics.summarise(d, streamName: group + "/paired-vs-" + label + "/" + col.name)
                func cell(_ v: Double?) -> CSVTable.Cell { v.map { .number($0) } ?? .empty }
                // Two pairs with the same difference give a zero-width interval that says nothing about
                // the spread: a verdict needs at least three pairs.
                let resolved = s.n >= Collector.minimumPairsForVerdict
                    && (s.ciLow.flatMap { lo in s.ciHigh.map { hi in lo > 0 || hi < 0 } } ?? false)
                table.append(key.map { .text($0) } + [.text(label), .text(col.name), .integer(s.n), cell(s.mean), cell(s.std),
                             cell(s.stderr), cell(s.ciLow), cell(s.ciHigh), cell(s.bootLow), cell(s.bootHigh), .text(resolved ? "yes" : "no")])
            }
        }
        return table
    }

    public static let timingFixedColumns = ["run_id", "status"] + RunTimings.fixed

    /// timings.csv: wall time, throughput and memory per run in the `RunTimings` vocabulary (older
    /// results' names mapped to it), then any other timing key (not byte-comparable: kept apart).
    public func timingsTable() -> CSVTable {
        let timings = records.map { RunTimings.normalised($0.timings) }
        let extra = Array(Set(timings.flatMap(\.keys))).filter { !Collector.timingFixedColumns.contains($0) }.sorted()
        var table = CSVTable(columns: Collector.timingFixedColumns + extra)
        for ((run, rec), t) in zip(zip(plan.runs, records), timings) {
            var cells: [CSVTable.Cell] = [.text(run.runId), .text(rec.status)]
            cells += (RunTimings.fixed + extra).map { t[$0].map { .number($0) } ?? .empty }
            table.append(cells)
        }
        return table
    }

    /// Counts by status, in a fixed order.
    public var counts: (finished: Int, diverged: Int, failed: Int, pending: Int) {
        (records.filter { $0.status == "finished" }.count, records.filter { $0.status == "diverged" }.count,
         records.filter { $0.status == "failed" }.count, records.filter { $0.status == "pending" }.count)
    }

    /// Writes the four CSV files atomically.
    public func writeAll() throws {
        let (runs, values) = runsTable()
        try runs.write(to: dir.appendingPathComponent("runs.csv"))
        try metricsTable().write(to: dir.appendingPathComponent("metrics.csv"))
        try summaryTable(values: values).write(to: dir.appendingPathComponent("summary.csv"))
        if plan.reference != nil { try pairedTable(values: values).write(to: dir.appendingPathComponent("paired.csv")) }
        try timingsTable().write(to: dir.appendingPathComponent("timings.csv"))
    }
}
