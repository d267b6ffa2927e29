import BridgeSupport
import Foundation
import Studies
import Testing

/// The toy kind with its config nested under `run:` (like the train kind's run.seed / run.method).
struct NestedToyKind: RunKind {
    var name: String { "nested_toy" }
    func resolve(_ config: ConfigValue, source: String) throws -> ConfigValue {
        let pairs = config.objectPairs ?? []
        if let bad = pairs.first(where: { $0.0 != "run" }) {
            throw ConfigError.unknownKey(source: source, path: bad.0, line: nil, suggestion: "run", valid: ["run"])
        }
        return .object([("run", try ToyQuadraticKind().resolve(config["run"] ?? .object([]), source: source))])
    }
    func execute(resolved: ConfigValue, runId: String, outDir: URL, progress: RunProgress?) throws -> RunResult {
        try ToyQuadraticKind().execute(resolved: resolved["run"]!, runId: runId, outDir: outDir, progress: progress)
    }
}

@Suite struct NestedKindTests {
    static let spec = """
    name: nested
    question: q
    kind: nested_toy
    base: {run: {steps: 5}}
    axes:
      grid:
        run.method: [sgd, heavy_ball]
        run.dim: [2, 3]
    seeds: 2
    metrics: [{name: train/loss}]

    """

    @Test func seedAndMethodKeysAreFoundInTheKindsDefaults() throws {
        let kind = NestedToyKind()
        let dir = try temporaryFolder("nested")
        let pipeline = try StudyPipeline(specText: NestedKindTests.spec, source: "n.yaml", preset: nil, overrides: ["run.noise=0"],
                                         kinds: [kind], out: dir.path)
        #expect(pipeline.spec.seedKey == "run.seed" && pipeline.spec.methodKey == "run.method")
        let runs = pipeline.runs
        #expect(runs.count == 8 && runs.map { ConfigPath.get($0.config, "run.seed") } == (0..<4).flatMap { _ in [ConfigValue.number(0), .number(1)] })
        _ = try pipeline.execute(.local(.inProcess(kinds: [kind]), workers: 1, progress: quietProgress()), force: false)
        let header = try read(dir, "runs.csv").split(separator: "\n")[0]
        #expect(header == "run_id,study,kind,method,seed,run.dim,train/loss:final,status,error")
        let summaryHeader = try read(dir, "summary.csv").split(separator: "\n")[0]
        #expect(summaryHeader.hasPrefix("method,run.dim,metric,n,"))
    }

    @Test func seedKeyIsNotAnAxis() throws {
        let text = NestedKindTests.spec.replacingOccurrences(of: "run.dim: [2, 3]", with: "run.seed: [2, 3]")
        let defaults = try NestedToyKind().resolve(.object([]), source: "d")
        let spec = try StudySpec.parse(yaml: text, source: "n.yaml").effective(preset: nil, overrides: [], defaults: defaults)
        let e = errorText { _ = try StudyExpansion.expand(spec, kind: NestedToyKind()) }
        #expect(e.contains("'axes.run.seed': the seed key is not an axis"), "got: \(e)")
    }
}
