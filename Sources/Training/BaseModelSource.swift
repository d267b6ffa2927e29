import Foundation
import GPT
import TensorCore

/// Builds the model a run starts from: the preset with the run's LoRA adapters, θ either fresh
/// (run.base: random, GPT-2 init from derive("init")) or the cached pretrained base checkpoint.
public enum BaseModelSource {
    public static func make(config: TrainConfig, data: TrainData, root: RNG) throws -> GPTModel {
        let gpt = config.model.preset.config
        let lora = LoRAConfig(rank: config.model.loraRank, alpha: config.model.loraAlpha,
                              targets: config.model.loraRank > 0 ? config.model.loraTargets : [])
        if config.run.base == .pretrained {
            // θ from the cache (pretrained on first use), w initialised from this run's stream.
            return try BaseModel.load(config: config.pretrain, cacheDirectory: config.run.baseCacheDir, lora: lora,
                                      loraRNG: root.derive("lora_init"))
        }
        return GPTModel(config: gpt, lora: lora, rng: root.derive("init"))
    }
}
