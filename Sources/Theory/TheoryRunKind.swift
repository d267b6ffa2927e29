import BridgeSupport
import Foundation

/// The `theory` run kind: one problem instance (from the seed) and its sweep, written as
/// outDir/config.json, outDir/metrics.csv (step = sweep index) and outDir/result.json.
public struct TheoryRunKind: RunKind {
    public let name = "theory"
    public init() {}

    public func resolve(_ config: ConfigValue, source: String) throws -> ConfigValue {
        let defaults = try ConfigValue.encode(TheoryConfig())
        let merged = try StrictConfig.merge(config, over: defaults, source: source)
        let decoded = try merged.decode(TheoryConfig.self, source: source)
        do { try decoded.validate() } catch let e as TheoryError {
            throw ConfigError.invalid(source: source, path: "", line: nil, message: e.description, fix: "see docs/theory.md for valid values")
        }
        return try ConfigValue.encode(decoded)
    }

    public func execute(resolved: ConfigValue, runId: String, outDir: URL, progress: RunProgress?) throws -> RunResult {
        let config = try resolved.decode(TheoryConfig.self, source: "resolved theory config")
        try config.validate()
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        try AtomicFile.write(try ConfigValue.encode(config).prettyJSON, to: outDir.appendingPathComponent("config.json"))
        let start = Date() // timings only: never reaches metrics
        let outcome = TheoryRun.run(config, runId: runId, progress: progress)
        try outcome.recorder.log.write(to: outDir.appendingPathComponent("metrics.csv"))
        var result = outcome.result
        result.timings[RunTimings.wallSeconds] = Date().timeIntervalSince(start)
        try AtomicFile.write(try result.jsonText(), to: outDir.appendingPathComponent("result.json"))
        return result
    }
}

/// Runs an experiment in memory (no files): what `TheoryRunKind` and the tests call.
public enum TheoryRun {
    public struct Outcome {
        public var recorder: TheoryRecorder
        public var result: RunResult
    }

    public static func run(_ config: TheoryConfig, runId: String, progress: RunProgress? = nil) -> Outcome {
        var rec = TheoryRecorder(runId: runId)
        let report: ((Int, Int) -> Void) = { step, total in progress?(step, total, config.experiment.rawValue) }
        do {
            try config.validate()
            switch config.experiment {
            case .quadraticBias: try QuadraticExperiments.penaltyBias(config, &rec, progress: report)
            case .oneStepProxy: try QuadraticExperiments.oneStepProxy(config, &rec, progress: report)
            case .vpbgdToy: try ToyExperiments.vpbgd(config, &rec, progress: report)
            case .bomeToy: try ToyExperiments.bome(config, &rec, progress: report)
            case .hyperCleaning: try ToyExperiments.hyperCleaning(config, &rec, progress: report)
            case .exactRL: try ExactRLExperiment.run(config, &rec, progress: report)
            }
            // Final values (fitted slopes with CI and expected value, run summaries) are also logged to
            // metrics.csv one step after the sweep, so that the study collector summarises them over seeds.
            let summaryStep = (rec.log.rows.map(\.step).max() ?? -1) + 1
            for key in rec.final.keys.sorted() { try rec.log(summaryStep, key, rec.final[key]!) }
            return Outcome(recorder: rec, result: RunResult(runId: runId, status: .finished, final: rec.final))
        } catch let d as TheoryDiverged {
            return Outcome(recorder: rec, result: RunResult(runId: runId, status: .diverged, error: d.description, final: rec.final))
        } catch {
            return Outcome(recorder: rec, result: RunResult(runId: runId, status: .failed, error: "\(error)", final: rec.final))
        }
    }
}

/// The slope summary table: one row per fitted slope, beside its theoretical value.
public enum SlopeSummary {
    public static let columns = ["experiment", "claim", "slope", "ci_low", "ci_high", "se", "points", "terms", "expected", "expected_in_ci", "note"]

    public static func table(experiment: String, _ rec: TheoryRecorder) -> CSVTable {
        var t = CSVTable(columns: columns)
        for s in rec.slopes {
            t.append([.text(experiment), .text(s.name), .number(s.fit.slope), .number(s.fit.ciLow), .number(s.fit.ciHigh),
                      .number(s.fit.standardError), .integer(s.fit.points), .integer(s.fit.correctionTerms), .number(s.expected),
                      .text(s.fit.contains(s.expected) ? "yes" : "no"), .text(s.note)])
        }
        return t
    }

    /// Slope rows rebuilt from a result.json's `final` map (theory/slope_<name> keys).
    public static func table(experiment: String, final: [String: Double]) -> CSVTable {
        var t = CSVTable(columns: columns)
        let names = final.keys.filter { $0.hasPrefix("theory/slope_") && $0.hasSuffix("_expected") }
            .map { String($0.dropLast("_expected".count)) }.sorted()
        for key in names {
            guard let s = final[key], let lo = final[key + "_ci_low"], let hi = final[key + "_ci_high"], let e = final[key + "_expected"] else { continue }
            t.append([.text(experiment), .text(String(key.dropFirst("theory/slope_".count))), .number(s), .number(lo), .number(hi),
                      .number(final[key + "_se"] ?? 0), .integer(Int(final[key + "_points"] ?? 0)),
                      .integer(Int(final[key + "_terms"] ?? 0)), .number(e),
                      .text(lo <= e && e <= hi ? "yes" : "no"), .text("")])
        }
        return t
    }

    /// Fixed-width text rendering for terminals.
    public static func render(_ t: CSVTable) -> String {
        let shown = ["experiment", "claim", "slope", "ci_low", "ci_high", "terms", "expected", "expected_in_ci"]
        let idx = shown.map { t.columns.firstIndex(of: $0)! }
        var rows = [shown]
        for r in t.rows { rows.append(idx.map { r[$0] }) }
        let widths = shown.indices.map { c in rows.map { $0[c].count }.max()! }
        return rows.map { r in r.indices.map { r[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ") }
            .joined(separator: "\n")
    }
}
