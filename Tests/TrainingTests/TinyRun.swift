import BridgeSupport
import Foundation
import GPT
import Tasks
import TensorCore
import Training

/// Small, fast configs and helpers for end-to-end tests (tiny preset, random base, tiny data).
enum TinyRun {
    static let overrides = [
        "model.preset=tiny", "run.base=random", "run.steps=3", "run.eval_every=2", "run.checkpoint_every=2",
        "data.dataset.sft_size=64", "data.dataset.rl_size=64", "data.dataset.heldout_size=16",
        "data.dataset.pretrain_problems=16", "data.dataset.pretrain_fact_copies=0",
        "eval.suite.benchmarks.size=4", "eval.validation_size=4", "eval.suite.benchmarks.names=[b1_indist,b2_harder,b5_compose]", "eval.suite.max_new_tokens=24", "eval.probe_size=4", "eval.heldout_size=4",
        "rl.prompts_per_step=2", "rl.group_size=4", "rl.max_new_tokens=12", "sft.batch_size=4", "sft.cold_start_steps=1",
    ]

    static func config(_ method: String, _ extra: [String] = []) throws -> TrainConfig {
        try TrainConfig.load(yamlText: nil, source: "test", overrides: overrides + ["run.method=\(method)"] + extra)
    }

    static func tempDir(_ name: String, clear: Bool = true) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bridge-training-tests")
            .appendingPathComponent(name + "-" + String(ProcessInfo.processInfo.processIdentifier))
        if clear { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Runs and returns (result, metrics.csv text).
    static func run(_ config: TrainConfig, dir: String, resume: Bool = false, killAfter: Int? = nil) throws -> (RunResult, String) {
        let url = tempDir(dir)
        return try runIn(config, url: url, resume: resume, killAfter: killAfter)
    }

    static func runIn(_ config: TrainConfig, url: URL, resume: Bool = false, killAfter: Int? = nil) throws -> (RunResult, String) {
        let r = try TrainRunner.execute(config: config, runId: "t", outDir: url, resume: resume, simulateKillAfter: killAfter)
        let csv = (try? String(contentsOf: url.appendingPathComponent("metrics.csv"), encoding: .utf8)) ?? ""
        return (r, csv)
    }

    /// A context with the config's data and a fresh model, after the method's start.
    static func context(_ config: TrainConfig) throws -> TrainContext {
        let data = try TrainData(config.data.dataset)
        let model = try BaseModelSource.make(config: config, data: data, root: RNG(seed: UInt64(config.run.seed)))
        return TrainContext(config: config, data: data, model: model)
    }
}
