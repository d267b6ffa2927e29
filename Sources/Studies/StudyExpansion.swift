import BridgeSupport
import Foundation

/// One run of a study: an axis point with a seed, its resolved run config and its stable id.
public struct PlannedRun: Sendable, Equatable {
    /// First 12 hex digits of SHA-256 of the resolved config's canonical JSON (config.json): equal configs, equal ids.
    public var runId: String
    public var seed: Int
    /// The axis assignments that produced this run (grid, zip and explicit entries, in that order).
    public var point: [AxisValue]
    /// `{"kind": ..., "config": <resolved>}`: the content of runs/<run_id>/run.json.
    public var runConfig: ConfigValue

    public init(runId: String, seed: Int, point: [AxisValue], runConfig: ConfigValue) {
        self.runId = runId; self.seed = seed; self.point = point; self.runConfig = runConfig
    }

    public var kind: String { ConfigPath.cellText(runConfig["kind"] ?? .null) }
    public var config: ConfigValue { runConfig["config"] ?? .object([]) }
}

/// Expands an effective spec into runs: explicit runs (outermost) × zip groups × grid × seeds (innermost),
/// so that the seeds of one parameter group are adjacent.
public enum StudyExpansion {
    /// Number of hex digits of a run id (48 bits: collisions are checked, never silently merged).
    public static let idLength = 12

    /// The run id of a run file `{"kind": ..., "config": <resolved>}`: the hash of its resolved config.
    public static func runId(_ runConfig: ConfigValue) -> String {
        String(SHA256.hex((runConfig["config"] ?? .object([])).canonicalJSON).prefix(idLength))
    }

    /// The wrapper stored as run.json (config.json holds `resolved` alone).
    public static func runConfig(kind: String, resolved: ConfigValue) -> ConfigValue {
        .object([("config", resolved), ("kind", .string(kind))])
    }

    /// The axis points (without seeds) in expansion order.
    public static func points(_ axes: Axes) -> [[AxisValue]] {
        var points: [[AxisValue]] = axes.runs.isEmpty ? [[]] : axes.runs
        for group in axes.zip {
            let n = group.first?.values.count ?? 0
            points = points.flatMap { p in (0..<n).map { i in p + group.map { AxisValue(key: $0.key, value: $0.values[i]) } } }
        }
        for axis in axes.grid {
            points = points.flatMap { p in axis.values.map { p + [AxisValue(key: axis.key, value: $0)] } }
        }
        return points
    }

    public static func expand(_ spec: StudySpec, kind: any RunKind) throws -> [PlannedRun] {
        var runs: [PlannedRun] = []
        var seen: [String: Int] = [:]
        let seedKey = spec.seedKey.isEmpty ? "seed" : spec.seedKey
        if let clash = spec.axes.variedKeys.first(where: { $0 == seedKey }) {
            throw ConfigError.invalid(source: "study '\(spec.name)'", path: "axes.\(clash)", line: nil,
                                      message: "the seed key is not an axis", fix: "list seeds under the top-level 'seeds:' key")
        }
        for point in points(spec.axes) {
            for seed in spec.seeds {
                var config = spec.base
                for a in point { config = ConfigPath.set(config, a.key, a.value) }
                config = ConfigPath.set(config, seedKey, .number(Double(seed)))
                let label = describe(point, seed: seed)
                let resolved: ConfigValue
                do {
                    resolved = try kind.resolve(config, source: "") // the wrapper below names file, line and run
                } catch let e as ConfigError {
                    throw ConfigError.invalid(source: spec.source.isEmpty ? "study '\(spec.name)'" : spec.source, path: label,
                                              line: specLine(of: e, in: spec),
                                              message: "the \(kind.name) kind rejects this run's config: " + e.description.trimmingCharacters(in: CharacterSet(charactersIn: ". :")),
                                              fix: "correct the key under 'base:' or 'axes:' (a dotted axis key is a path into the \(kind.name) config)")
                }
                let rc = runConfig(kind: kind.name, resolved: resolved)
                let id = runId(rc)
                if let other = seen[id] {
                    let prev = runs[other]
                    throw ConfigError.invalid(source: "study '\(spec.name)'", path: label, line: nil,
                                              message: "resolves to the same config as \(describe(prev.point, seed: prev.seed)) (run id \(id))",
                                              fix: "remove the duplicate axis value or explicit run")
                }
                seen[id] = runs.count
                runs.append(PlannedRun(runId: id, seed: seed, point: point, runConfig: rc))
            }
        }
        return runs
    }

    /// The spec line that set the key a kind's error names: under base:, or an axis key (nil if the key
    /// came from the kind's defaults or a command-line override).
    static func specLine(of error: ConfigError, in spec: StudySpec) -> Int? {
        let path: String
        switch error {
        case let .unknownKey(_, p, _, _, _), let .wrongType(_, p, _, _, _), let .invalid(_, p, _, _, _): path = p
        default: return nil
        }
        guard !path.isEmpty else { return nil }
        if let line = spec.lines["base." + path] { return line }
        return spec.lines.filter { $0.key.hasPrefix("axes.") && $0.key.hasSuffix("." + path) }.map(\.value).min()
    }

    /// "lambda.value=0.5, method=bridge, seed=1"
    public static func describe(_ point: [AxisValue], seed: Int) -> String {
        (point.map { "\($0.key)=\(ConfigPath.cellText($0.value))" } + ["seed=\(seed)"]).joined(separator: ", ")
    }
}
