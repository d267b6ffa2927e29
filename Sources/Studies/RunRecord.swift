import BridgeSupport
import Foundation

/// What a run folder says about one run: its result (if any) and its metric curves.
public struct RunRecord: Sendable {
    /// finished / diverged / failed from result.json, or `pending` when there is none yet.
    public var status: String
    public var error: String
    public var timings: [String: Double]
    public var metrics: MetricLog

    /// True for runs a resume must not recompute.
    public var isDone: Bool { status == "finished" || status == "diverged" }

    /// Reads runs/<id>/{result.json, metrics.csv}. A missing or unreadable result means `pending`
    /// (never started, or killed before it finished).
    public static func read(dir: URL, runId: String) -> RunRecord {
        let run = StudyPlan.runDir(dir, runId)
        var rec = RunRecord(status: "pending", error: "", timings: [:], metrics: MetricLog(runId: runId))
        if let result = try? RunResult.read(run.appendingPathComponent("result.json")), result.runId == runId {
            rec.status = result.status.rawValue
            rec.error = result.error ?? ""
            rec.timings = result.timings
        }
        // Failed runs contribute no rows: their metrics.csv may be a stale flush of an earlier attempt.
        if rec.isDone, let log = try? MetricLog.read(run.appendingPathComponent("metrics.csv"), runId: runId) {
            rec.metrics = log
        }
        return rec
    }

    /// Curves by metric name: (steps, values) in logged order.
    public var curves: [String: (steps: [Int], values: [Double])] {
        var out: [String: (steps: [Int], values: [Double])] = [:]
        for r in metrics.rows {
            out[r.metric, default: ([], [])].steps.append(r.step)
            out[r.metric, default: ([], [])].values.append(r.value)
        }
        return out
    }

    /// A finished or diverged run whose config.json equals the planned resolved config (what resume skips).
    public static func isComplete(dir: URL, run: PlannedRun) -> Bool {
        let folder = StudyPlan.runDir(dir, run.runId)
        guard let text = try? String(contentsOf: folder.appendingPathComponent("config.json"), encoding: .utf8),
              let stored = try? ConfigValue.parseYAML(text, source: "config.json").value,
              stored.canonicalJSON == run.config.canonicalJSON else { return false }
        return read(dir: dir, runId: run.runId).isDone
    }
}
