import BridgeSupport
import Foundation

/// Runs the seven methods at one config (each into DIR/<method>, resumable) and summarises them in one
/// table: final evaluation, mean RL reward over the first and last 5 and 25 RL steps, work and wall time.
public enum MethodTable {
    public static let columns = [
        "method", "status", "mean_accuracy", "b1_indist", "b2_harder", "b3_longer", "b4_deeper", "b5_compose",
        "probe_pretrain", "probe_sft_only", "sft_heldout_nll", "reward_first5", "reward_last5", "reward_first25", "reward_last25",
        "rollouts", "sft_examples", "wall_s",
    ]

    /// Runs `methods` (in order) with `config` (run.method replaced) into DIR/<method>; returns the table.
    public static func run(config: TrainConfig, methods: [String] = TrainConfig.methods, outDir: URL,
                           progress: RunProgress? = nil, log: (String) -> Void = { _ in }) throws -> CSVTable {
        var table = CSVTable(columns: columns)
        for m in methods {
            var c = config
            c.run.method = try TrainMethod.parse(m, what: "train-table")
            try c.validate(source: "train-table (\(m))")
            let dir = outDir.appendingPathComponent(m)
            log("== \(m) -> \(dir.path)")
            let r = try TrainRunner.execute(config: c, runId: m, outDir: dir, resume: true, progress: progress)
            let metrics = try MetricLog.read(dir.appendingPathComponent("metrics.csv"), runId: m)
            table.append(row(m, r, metrics))
        }
        try table.write(to: outDir.appendingPathComponent("table.csv"))
        return table
    }

    static func row(_ method: String, _ r: RunResult, _ log: MetricLog) -> [CSVTable.Cell] {
        func final(_ name: String) -> CSVTable.Cell { r.final[name].map { .number($0) } ?? .text("") }
        let rewards = log.rows.filter { $0.metric == Metric.rewardMean }.map(\.value)
        func mean(_ x: ArraySlice<Double>) -> CSVTable.Cell { x.isEmpty ? .text("") : .number(x.reduce(0, +) / Double(x.count)) }
        var cells: [CSVTable.Cell] = [.text(method), .text(r.status.rawValue), final(Metric.evalMeanAccuracy)]
        for b in ["b1_indist", "b2_harder", "b3_longer", "b4_deeper", "b5_compose"] { cells.append(final(Metric.evalAccuracy(b))) }
        cells += [final("eval/probe_pretrain/accuracy"), final("eval/probe_sft_only/accuracy"), final(Metric.evalSFTHeldoutNLL),
                  mean(rewards.prefix(5)), mean(rewards.suffix(5)),
                  // 5 RL steps are 80 prompts: their mean depends on which prompts were drawn; 25 steps smooth it.
                  mean(rewards.prefix(25)), mean(rewards.suffix(25)),
                  .number(r.final[Metric.rollouts] ?? 0), .number(r.final[Metric.sftExamples] ?? 0),
                  .number(((r.timings[Metric.wallSeconds] ?? 0) * 10).rounded() / 10)]
        return cells
    }

    /// A Markdown rendering of the table (numbers to 3 decimals).
    public static func markdown(_ t: CSVTable) -> String {
        var out = "| " + t.columns.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: t.columns.count) + "\n"
        for r in t.rows {
            out += "| " + r.map { cell in
                if let x = Double(cell), cell.contains(".") { return String(format: "%.3f", x) }
                return cell
            }.joined(separator: " | ") + " |\n"
        }
        return out
    }
}
