import BridgeSupport
import Foundation
import Studies
import Testing

/// `--reuse`: finished runs of another study with the same run id are copied, not recomputed.
@Suite struct RunReuseTests {
    /// A study that shares its learning rate 0.05 runs of sgd with the toy study (same configs, same ids).
    static let overlapping = toySpecText.replacingOccurrences(of: "    method: [sgd, heavy_ball]\n    learning_rate: [0.05, 0.2]\n",
                                                               with: "    method: [sgd]\n    learning_rate: [0.05, 0.3]\n")

    func execute(_ text: String, dir: URL, reuse: [URL], prepareOnly: Bool = false) throws -> StudyOutcome {
        let pipeline = try StudyPipeline(specText: text, source: "test.yaml", preset: nil, overrides: [], kinds: [ToyQuadraticKind()], out: dir.path)
        let executor: StudyExecutor = prepareOnly ? .prepareOnly : .local(.inProcess(kinds: [ToyQuadraticKind()]), workers: 1, progress: quietProgress())
        return try pipeline.execute(executor, force: false, reuse: reuse)
    }

    @Test func sharedRunsAreCopiedAndTheFolderCollectsToTheSameBytes() throws {
        #expect(Self.overlapping != toySpecText)
        let source = try temporaryFolder("reuse-source")
        try runInProcess(toySpecText, dir: source)
        let withReuse = try temporaryFolder("reuse-with"), without = try temporaryFolder("reuse-without")
        try runInProcess(Self.overlapping, dir: without)
        let sourceIds = Set(CSVTable.parse(try read(source, "runs.csv")).rows.map { $0[0] })
        let shared = CSVTable.parse(try read(without, "runs.csv")).rows.filter { sourceIds.contains($0[0]) }.map { $0[0] }
        #expect(shared.count == 3, "sgd at 0.05, three seeds")
        // An incomplete earlier attempt of a shared run (prepared, then a file the reused run does not have).
        _ = try execute(Self.overlapping, dir: withReuse, reuse: [], prepareOnly: true)
        let stale = withReuse.appendingPathComponent("runs/\(shared[0])/stale-checkpoint")
        try Data("partial".utf8).write(to: stale)
        _ = try execute(Self.overlapping, dir: withReuse, reuse: [source])
        #expect(!FileManager.default.fileExists(atPath: stale.path), "the incomplete run's folder is replaced whole by the reused run")

        let manifest = try ConfigValue.parseYAML(try read(withReuse, "manifest.json"), source: "manifest.json").value
        guard case let .array(reused)? = manifest["reused"] else { Issue.record("no reused list in the manifest"); return }
        #expect(reused.map { ConfigPath.cellText($0["run_id"] ?? .null) }.sorted() == shared.sorted())
        for id in shared {
            #expect(try read(withReuse, "runs/\(id)/result.json") == read(source, "runs/\(id)/result.json"), "\(id) copied")
        }
        for f in ["runs.csv", "metrics.csv", "summary.csv"] {
            #expect(try read(withReuse, f) == read(without, f), "\(f): reusing gives the bytes computing gives")
        }
    }

    @Test func aFolderWithoutRunFoldersIsRefused() throws {
        let source = try temporaryFolder("reuse-committed")
        try runInProcess(toySpecText, dir: source)
        try FileManager.default.removeItem(at: source.appendingPathComponent("runs"))
        let message = errorText { _ = try execute(Self.overlapping, dir: try temporaryFolder("reuse-into"), reuse: [source]) }
        #expect(message.contains("no runs/") && message.contains("Fix:"), "\(message)")
    }
}
