import BridgeSupport
import Foundation
import GPT

/// The memory a training config implies, checked before anything is allocated: an oversized setting
/// (rl.group_size=100000) is refused at load time with the key and the estimate, instead of aborting
/// deep in a run with "failed to allocate … bytes".
///
/// The estimate counts what a step holds at once, in Float32: parameters (θ and w with gradients, AdamW
/// moments, the reference policy and the shadow proxy: 10 copies), the activations of the largest
/// forward/backward batch (GPTModel's activation layout: per layer 16·N·C + B·H·T² floats plus the
/// logits and backward scratch, N = B·T at T = the context length), the KV cache of one sampling batch
/// (2·layers·S·T·C floats for S = rl.prompts_per_step × rl.group_size rollouts) and the rollouts'
/// per-token arrays. It is an upper bound of the dominant terms (measured peak RSS is below it), meant to
/// catch settings that are orders of magnitude too large, not to predict usage. docs/reliability.md.
extension TrainConfig {
    /// The limit: BRIDGE_MEMORY_LIMIT_MB if set, else this fraction of physical memory. 0.8 leaves room
    /// for the OS and the other processes of a shared machine; each study worker is checked on its own.
    public static let memoryFractionOfPhysical = 0.8

    public static var memoryLimitBytes: (bytes: Double, source: String) {
        if let text = ProcessInfo.processInfo.environment["BRIDGE_MEMORY_LIMIT_MB"], let mb = Double(text), mb > 0 {
            return (mb * 1_048_576, "BRIDGE_MEMORY_LIMIT_MB")
        }
        return (Double(ProcessInfo.processInfo.physicalMemory) * memoryFractionOfPhysical,
                "\(Int(memoryFractionOfPhysical * 100))% of physical memory")
    }

    /// Methods that sample rollouts (and so need rl.* sized memory).

    /// Floats of one forward/backward at (B, T) (GPTModel's ActivationLayout, dominant terms).
    static func activationFloats(_ c: GPTConfig, rank: Int, B: Double, T: Double) -> Double {
        let N = B * T, C = Double(c.channels), V = Double(c.vocabSize), H = Double(c.heads)
        let perLayer = 16 * N * C + B * H * T * T + 4 * N + 4 * N * Double(rank)
        return N * C + Double(c.layers) * perLayer + 2 * N * C + 3 * N * V + 10 * N * C + T * T + N * Double(max(rank, 1))
    }

    /// Estimated peak bytes and the config key that dominates them, with a readable breakdown.
    public func memoryEstimate() throws -> (bytes: Double, key: String, detail: String) {
        let c = model.preset.config
        let T = Double(c.contextLength)
        let params = Double(c.parameterCount) + Double(GPTModel.loraLayout(config: c, lora: LoRAConfig(rank: model.loraRank, targets: model.loraTargets))
            .reduce(0) { $0 + $1.shape.reduce(1, *) })
        var parts: [(key: String, what: String, bytes: Double)] = [("model.preset", "parameters and optimiser state", 10 * params * 4)]
        parts.append(("sft.batch_size", "SFT activations (\(sft.batchSize) × \(c.contextLength) tokens)",
                      TrainConfig.activationFloats(c, rank: model.loraRank, B: Double(sft.batchSize), T: T) * 4))
        if run.method.usesRL {
            let S = Double(rl.promptsPerStep) * Double(rl.groupSize)
            let key = rl.groupSize >= rl.promptsPerStep ? "rl.group_size" : "rl.prompts_per_step"
            let rollout = TrainConfig.activationFloats(c, rank: model.loraRank, B: S, T: T) + 2 * Double(c.layers) * S * T * Double(c.channels) + 8 * S * T
            parts.append((key, "rollouts (\(rl.promptsPerStep) × \(rl.groupSize) sequences × \(c.contextLength) tokens: activations, KV cache)", rollout * 4))
        }
        let total = parts[0].bytes + parts.dropFirst().map(\.bytes).max()!
        let dominant = parts.max { $0.bytes < $1.bytes }!
        let detail = parts.map { "\($0.what) \(Format.bytes($0.bytes))" }.joined(separator: "; ")
        return (total, dominant.key, detail)
    }

    /// Refuses a config whose estimate exceeds the limit, naming the dominant key and the bytes.
    public func checkMemory(source: String) throws {
        let (bytes, key, detail) = try memoryEstimate()
        let limit = TrainConfig.memoryLimitBytes
        guard bytes > limit.bytes else { return }
        throw ConfigError.invalid(source: source, path: key, line: nil,
                                  message: "the run would need about \(Format.bytes(bytes)) of memory (\(detail)), more than the limit \(Format.bytes(limit.bytes)) (\(limit.source))",
                                  fix: "lower \(key)\(key == "model.preset" ? "" : " (or use a smaller model.preset)"), or raise the limit with BRIDGE_MEMORY_LIMIT_MB if the machine has the memory")
    }
}
