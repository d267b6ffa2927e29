import BridgeSupport
import Foundation

/// The study runner's executor for training runs (`kind: train`): a run config is a `TrainConfig` tree.
public struct TrainRunKind: RunKind {
    public let name = "train"
    public init() {}

    /// Strict check (unknown keys, wrong types, cross-field rules) and every default filled in.
    public func resolve(_ config: ConfigValue, source: String) throws -> ConfigValue {
        try TrainConfig.from(config, source: source).resolvedTree()
    }

    /// Runs the training run, resuming from DIR/checkpoint.safetensors when present.
    public func execute(resolved: ConfigValue, runId: String, outDir: URL, progress: RunProgress?) throws -> RunResult {
        let config = try TrainConfig.from(resolved, source: outDir.appendingPathComponent("config.json").path)
        do {
            return try TrainRunner.execute(config: config, runId: runId, outDir: outDir, resume: true, progress: progress)
        } catch TrainError.inconsistent {
            // The folder's files disagree (metrics.csv cut or edited): the study recomputes the run from
            // scratch, which gives the bytes of an uninterrupted run.
            for f in [TrainCheckpoint.fileName, "metrics.csv", "result.json"] {
                try? FileManager.default.removeItem(at: outDir.appendingPathComponent(f))
            }
            return try TrainRunner.execute(config: config, runId: runId, outDir: outDir, resume: true, progress: progress)
        }
    }
}
