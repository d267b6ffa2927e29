import Foundation
import GPT
import TensorCore

/// Shared helpers for the GPT tests.
enum Fixture {
    /// A tiny but non-degenerate shape: every code path, several heads, two layers.
    static let tiny = GPTConfig(vocabSize: 11, contextLength: 8, channels: 8, layers: 2, heads: 2)

    /// A model whose θ and w are all O(0.3) random (GPT-2's init makes deep paths nearly invisible to a
    /// finite-difference check, and B = 0 hides ∇A), LayerNorm weights around 1.
    static func model(config: GPTConfig = tiny, lora: LoRAConfig = LoRAConfig(rank: 2, alpha: 3), seed: UInt64 = 7,
                      scale: Float = 0.3) -> GPTModel {
        let m = GPTModel(config: config, lora: lora, rng: RNG(seed: seed))
        var r = RNG(seed: seed).derive("test/perturb")
        for s in m.theta.tensors {
            let isLNWeight = s.name.hasSuffix("ln1w") || s.name.hasSuffix("ln2w") || s.name == "lnfw"
            for i in 0..<s.count {
                m.theta.storage[s.offset + i] = (isLNWeight ? 1 : 0) + scale * Float(r.normal())
            }
        }
        for i in 0..<m.w.count { m.w.storage[i] = scale * Float(r.normal()) }
        return m
    }

    /// Random tokens (B·T) in 0..<V.
    static func tokens(_ n: Int, V: Int, seed: UInt64) -> [Int32] {
        var r = RNG(seed: seed)
        return (0..<n).map { _ in Int32(r.int(below: V)) }
    }

    static func randomVector(_ n: Int, seed: UInt64) -> [Float] {
        var r = RNG(seed: seed)
        return (0..<n).map { _ in Float(r.normal()) }
    }
}
