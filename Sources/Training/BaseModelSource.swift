import Foundation
import GPT
import TensorCore

/// Builds the model a run starts from: the preset with the run's LoRA adapters, θ either fresh
/// (run.base: random, GPT-2 init from derive("init")) or the cached pretrained base checkpoint.
public enum BaseModelSource {
    public static func make(config: TrainConfig, data: TrainData, root: RNG) throws -> GPTModel {
        let gpt = try GPTConfig.preset(config.model.preset)
        let lora = LoRAConfig(rank: config.model.loraRank, alpha: config.model.loraAlpha,
                              targets: config.model.loraRank > 0 ? config.model.loraTargets : [])
        let model = GPTModel(config: gpt, lora: lora, rng: root.derive("init"))
        if config.run.base == "pretrained" {
            throw TrainError.data("the pretrained base model is not available in this build; set run.base=random")
        }
        return model
    }
}
