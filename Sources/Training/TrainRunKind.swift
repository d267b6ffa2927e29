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

    /// The pretrained base model a run starts from (none for `run.base: random`), identified by the
    /// absolute path of its cache entry: runs with equal pretraining configs share it.
    public func sharedArtifacts(resolved: ConfigValue) throws -> [SharedArtifact] {
        let config = try TrainConfig.from(resolved, source: "resolved train config")
        guard config.run.base == .pretrained else { return [] }
        let url = try BaseModel.cachePath(config: config.pretrain, cacheDirectory: config.run.baseCacheDir).standardizedFileURL
        return [SharedArtifact(id: url.path, summary: "base model (\(config.model.preset.rawValue), pretrain seed \(config.pretrain.seed), \(config.pretrain.steps) steps): \(url.path)",
                               isBuilt: FileManager.default.fileExists(atPath: url.path))]
    }

    /// Pretrains the run's base model into its cache entry unless it is there and valid (BaseModel's
    /// lock makes a concurrent builder wait and then read it).
    public func buildSharedArtifacts(resolved: ConfigValue) throws -> [String] {
        let config = try TrainConfig.from(resolved, source: "resolved train config")
        guard config.run.base == .pretrained else { return [] }
        let (_, source, url) = try BaseModel.checkpoint(config: config.pretrain, cacheDirectory: config.run.baseCacheDir)
        let what: String
        switch source {
        case .cache: what = "was already cached"
        case .trained: what = "pretrained"
        case .rebuilt: what = "pretrained again (the cached file was invalid)"
        }
        return ["base model \(url.standardizedFileURL.path) \(what)"]
    }
}
