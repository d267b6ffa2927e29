import ArgumentParser
import BridgeSupport
import Foundation
import GPT
import TensorCore

/// `bridge init`: writes a freshly initialised GPT checkpoint (θ with GPT-2's init, LoRA A random, B zero).
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a freshly initialised GPT checkpoint (safetensors).",
        discussion: "The weights equal GPTModel(config: .preset(P), lora: ..., rng: RNG(seed: S)) in Swift."
    )

    @Option(help: "Model size: \(GPTConfig.presetNames.joined(separator: ", ")).")
    var preset = "small"

    @Option(help: "Seed of the initialisation.")
    var seed: UInt64 = 0

    @Option(help: "Output checkpoint file (.safetensors).")
    var out: String

    @Option(help: "LoRA rank r (0 = no adapters).")
    var loraRank = LoRAConfig().rank

    @Option(help: "LoRA alpha (adapter scale alpha / r).")
    var loraAlpha = LoRAConfig().alpha

    @Option(help: "Comma-separated LoRA targets, a subset of qkv,attn_proj,fc,mlp_proj.")
    var loraTargets = LoRAConfig().targets.map(\.name).joined(separator: ",")

    func validate() throws {
        guard GPTConfig.presetNames.contains(preset) else {
            throw ValidationError("unknown preset '\(preset)'. Fix: use one of \(GPTConfig.presetNames.joined(separator: ", ")).")
        }
        do { try lora.validate(source: "--lora-*") } catch { throw ValidationError("\(error)") }
    }

    var lora: LoRAConfig {
        get throws {
            let text = loraTargets.trimmingCharacters(in: .whitespaces)
            let names = text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            return LoRAConfig(rank: loraRank, alpha: loraAlpha,
                              targets: try names.map { try LoRATarget.parse($0, what: "--lora-targets") })
        }
    }

    func run() throws {
        let config = try GPTConfig.preset(preset)
        let model = GPTModel(config: config, lora: try lora, rng: RNG(seed: seed))
        let url = URL(fileURLWithPath: out)
        try Checkpoint(model: model, metadata: ["seed": String(seed), "step": "0", "created_by": "bridge init --preset \(preset)"])
            .write(to: url)
        print("wrote \(url.path): preset \(preset), \(config.parameterCount) base parameters, \(model.w.count) adapter parameters")
    }
}
