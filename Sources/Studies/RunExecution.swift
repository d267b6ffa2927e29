import BridgeSupport
import Foundation
import TensorCore

/// Executes one run in this process (what `bridge run --config FILE --out DIR` does): resolve the
/// config with its kind, write DIR/config.json, execute, and make sure DIR/result.json exists even
/// when the run throws (status failed with the error text).
public enum RunExecution {
    /// Reads a run config file: `{"kind": ..., "config": {...}}` (JSON or YAML).
    public static func readRunConfig(_ url: URL) throws -> (kind: String, config: ConfigValue) {
        let text = try AtomicFile.readText(url, what: "run config")
        let (tree, lines) = try ConfigValue.parseYAML(text, source: url.path)
        let r = SpecReader(source: url.path, lines: lines)
        let pairs = try r.mapping(tree, at: "", allowed: ["kind", "config"])
        guard let k = pairs.first(where: { $0.0 == "kind" })?.1 else {
            throw r.invalid(at: "kind", "a run config needs 'kind'", fix: "write {\"kind\": \"train\", \"config\": {...}}")
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
    public static func run(configFile: URL, outDir: URL, kinds: [any RunKind], progress: RunProgress? = nil) throws -> RunResult {
        let start = DispatchTime.now().uptimeNanoseconds
        let (kindName, config) = try readRunConfig(configFile)
        let kind = try kind(named: kindName, in: kinds)
        let resolved = try kind.resolve(config, source: configFile.path)
        let rc = StudyExpansion.runConfig(kind: kind.name, resolved: resolved)
        let runId = StudyExpansion.runId(rc)
        let resultURL = outDir.appendingPathComponent("result.json")
        try AtomicFile.write(rc.prettyJSON, to: outDir.appendingPathComponent("config.json"))
        try? FileManager.default.removeItem(at: resultURL) // a stale result must not outlive a restart
        BLAS.threads = 1
        var result: RunResult
        do {
            result = try kind.execute(resolved: resolved, runId: runId, outDir: outDir, progress: progress)
        } catch {
            result = RunResult(runId: runId, status: .failed, error: "\(error)", final: [:])
        }
        result.timings["wall_seconds"] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        result.timings["peak_rss_mb"] = peakResidentMegabytes()
        try AtomicFile.write(try result.jsonText(), to: resultURL)
        return result
    }

    /// Peak resident set size of this process in MiB (getrusage; Linux reports KiB).
    public static func peakResidentMegabytes() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        #if os(Linux)
        return Double(usage.ru_maxrss) / 1024
        #else
        return Double(usage.ru_maxrss) / 1_048_576
        #endif
    }
}
