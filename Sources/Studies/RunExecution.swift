import BridgeSupport
import Foundation
import TensorCore

/// Executes one run in this process (what `bridge run --config FILE --out DIR` does): resolve the
/// config with its kind, write DIR/run.json and DIR/config.json, execute, and make sure DIR/result.json
/// exists even when the run throws (status failed with the error text).
///
/// Two files describe a run: run.json `{"kind": ..., "config": <resolved>}` (what a worker executes) and
/// config.json (the resolved config alone, whose canonical JSON hashes to the run id; the kinds write and
/// check it when they resume from a checkpoint).
public enum RunExecution {
    public static let runFileName = "run.json"

    /// Reads a run file `{"kind": ..., "config": {...}}` (JSON or YAML), or, with `kind` given, a bare
    /// config of that kind (a run's config.json, a hand-written YAML).
    public static func readRunConfig(_ url: URL, kind override: String? = nil) throws -> (kind: String, config: ConfigValue) {
        let text = try AtomicFile.readText(url, what: "run config")
        let (tree, lines) = try ConfigValue.parseYAML(text, source: url.path)
        let r = SpecReader(source: url.path, lines: lines)
        if let override {
            let keys = (tree.objectPairs ?? []).map(\.0)
            let isWrapper = !keys.isEmpty && keys.allSatisfy { $0 == "kind" || $0 == "config" } && tree["kind"] == .string(override)
            _ = try r.mapping(tree, at: "")
            return (override, isWrapper ? (tree["config"] ?? .object([])) : tree)
        }
        let pairs = try r.mapping(tree, at: "", allowed: ["kind", "config"])
        guard let k = pairs.first(where: { $0.0 == "kind" })?.1 else {
            throw r.invalid(at: "kind", "a run file needs 'kind'", fix: "write {\"kind\": \"train\", \"config\": {...}}, or pass --kind with a bare config")
        }
        let config = pairs.first(where: { $0.0 == "config" })?.1 ?? .object([])
        _ = try r.mapping(config, at: "config")
        return (try r.string(k, at: "kind"), config)
    }

    /// Finds a kind by name, with a fix-it error listing the registered kinds.
    public static func kind(named name: String, in kinds: [any RunKind]) throws -> any RunKind {
        if let k = kinds.first(where: { $0.name == name }) { return k }
        let valid = kinds.map(\.name)
        throw ConfigError.invalid(source: "kind", path: name, line: nil,
                                  message: "no run kind '\(name)' is registered in this build" + (NearestKey.find(name, in: valid).map { "; did you mean '\($0)'?" } ?? ""),
                                  fix: "use one of: \(valid.joined(separator: ", ")) (kinds are listed in Sources/bridge/RunKinds.swift)")
    }

    /// Runs `configFile` into `outDir`; returns the result written to outDir/result.json.
    /// Errors before the run starts (unreadable config, unknown kind) are thrown; errors of the run itself
    /// become a failed result.
    public static func run(configFile: URL, kind override: String? = nil, outDir: URL, kinds: [any RunKind],
                           progress: RunProgress? = nil) throws -> RunResult {
        let start = DispatchTime.now().uptimeNanoseconds
        let (kindName, config) = try readRunConfig(configFile, kind: override)
        let kind = try kind(named: kindName, in: kinds)
        let resolved = try kind.resolve(config, source: configFile.path)
        let rc = StudyExpansion.runConfig(kind: kind.name, resolved: resolved)
        let runId = StudyExpansion.runId(rc)
        let resultURL = outDir.appendingPathComponent("result.json")
        try AtomicFile.write(rc.prettyJSON, to: outDir.appendingPathComponent(runFileName))
        try AtomicFile.write(resolved.prettyJSON, to: outDir.appendingPathComponent("config.json"))
        try? FileManager.default.removeItem(at: resultURL) // a stale result must not outlive a restart
        BLAS.threads = 1
        var result: RunResult
        do {
            result = try kind.execute(resolved: resolved, runId: runId, outDir: outDir, progress: progress)
        } catch {
            result = RunResult(runId: runId, status: .failed, error: "\(error)", final: [:])
        }
        // One vocabulary (RunTimings): the kind's own wall time stands; the process's when it has none.
        result.timings = RunTimings.normalised(result.timings)
        if result.timings[RunTimings.wallSeconds] == nil {
            result.timings[RunTimings.wallSeconds] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        result.timings[RunTimings.peakRSSMB] = RunTimings.peakResidentMegabytes()
        if result.status != .failed, let text = try? String(contentsOf: outDir.appendingPathComponent("metrics.csv"), encoding: .utf8) {
            result.metricsSHA256 = SHA256.hex(text)
        }
        try AtomicFile.write(try result.jsonText(), to: resultURL)
        return result
    }

    /// Peak resident memory of this process in MB (`RunTimings.peakResidentMegabytes`).
    public static func peakResidentMegabytes() -> Double { RunTimings.peakResidentMegabytes() }
}
