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
        var finalValues: [String: Double] = [:]
        var recorded: RunResult? = nil
        if let result = try? RunResult.read(run.appendingPathComponent("result.json")), result.runId == runId {
            rec.status = result.status.rawValue
            rec.error = result.error ?? ""
            rec.timings = result.timings
            finalValues = result.final
            recorded = result
        }
        // Failed runs contribute no rows: their metrics.csv may be a stale flush of an earlier attempt.
        if rec.isDone {
            let log = try? MetricLog.read(run.appendingPathComponent("metrics.csv"), runId: runId)
            var problem = disagreement(final: finalValues, finished: rec.status == "finished", log: log)
            if problem == nil, let recorded, let text = try? String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8),
               !recorded.matchesMetrics(text) {
                problem = "metrics.csv changed since result.json was written (its SHA-256 differs)"
            }
            if let problem {
                // A run is complete only when its files agree: otherwise it is pending, and re-run.
                rec.status = "pending"
                rec.error = "files disagree: \(problem); the run is computed again"
                rec.timings = [:]
            } else if let log {
                rec.metrics = log
            }
        }
        return rec
    }

    /// Why result.json and metrics.csv do not describe the same run (nil when they agree): every final
    /// value must be the last logged value of its metric (a finished run's every final metric must be
    /// in metrics.csv), so a metrics.csv cut short, edited or missing is noticed.
    static func disagreement(final: [String: Double], finished: Bool, log: MetricLog?) -> String? {
        guard let log else { return "metrics.csv is missing or unreadable" }
        let last = MetricLog.lastValues(log)
        for key in final.keys.sorted() {
            guard let v = last[key] else {
                if finished { return "result.json has a final \(key) that metrics.csv lacks" }
                continue
            }
            if v != final[key]! { return "metrics.csv ends \(key) at \(Format.number(v)), result.json says \(Format.number(final[key]!))" }
        }
        return nil
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
