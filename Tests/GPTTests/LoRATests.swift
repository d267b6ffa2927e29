import Foundation
import GPT
import Testing
import TensorCore

/// LoRA invariants: a fresh adapter changes nothing, w-only training leaves θ alone, merge ≈ unmerged.
@Suite("GPT LoRA")
struct LoRATests {
    static let config = GPTConfig(vocabSize: 13, contextLength: 12, channels: 16, layers: 2, heads: 4)

    @Test("a fresh adapter (B = 0) leaves θ and every log-prob bitwise equal to the base model")
    func freshAdapterIsIdentity() {
        let base = GPTModel(config: Self.config, lora: .none, rng: RNG(seed: 3))
        let adapted = GPTModel(config: Self.config, lora: LoRAConfig(rank: 4, alpha: 8), rng: RNG(seed: 3))
        #expect(base.theta.storage == adapted.theta.storage, "θ init depends on the LoRA settings")
        #expect(adapted.w.storage.contains { $0 != 0 }, "A should be random")
        let tokens = Fixture.tokens(3 * 12, V: 13, seed: 1), targets = Fixture.tokens(3 * 12, V: 13, seed: 2)
        let a = base.forward(tokens: tokens, targets: targets, B: 3, T: 12).logprobs
        let b = adapted.forward(tokens: tokens, targets: targets, B: 3, T: 12).logprobs
        let worst = zip(a, b).enumerated().first { $0.element.0.bitPattern != $0.element.1.bitPattern }
        #expect(worst == nil, "first differing position \(worst.map { "\($0.offset): \($0.element)" } ?? "")")
    }

    @Test("w-only AdamW steps change w and leave θ bitwise unchanged")
    func wOnlyTrainingFreezesTheta() {
        let m = GPTModel(config: Self.config, lora: LoRAConfig(rank: 4, alpha: 8), rng: RNG(seed: 4))
        let theta0 = m.theta.storage, w0 = m.w.storage
        var mom = [Float](repeating: 0, count: m.w.count), vel = mom
        let tokens = Fixture.tokens(2 * 12, V: 13, seed: 5), targets = Fixture.tokens(2 * 12, V: 13, seed: 6)
        for step in 1...3 {
            m.zeroGradients()
            let out = m.forward(tokens: tokens, targets: targets, B: 2, T: 12)
            m.backward(dlogprobs: out.logprobs.map { _ in -1 / Float(24) }, theta: false, w: true)
            m.w.storage.withUnsafeMutableBufferPointer { p in
                m.gradW.storage.withUnsafeBufferPointer { g in
                    AdamW.update(params: p.baseAddress!, grads: g.baseAddress!, m: &mom, v: &vel, count: p.count,
                                 step: step, config: AdamWConfig(learningRate: 1e-2))
                }
            }
        }
        #expect(m.theta.storage == theta0, "θ moved during w-only training")
        #expect(m.w.storage != w0, "w did not move")
        #expect(m.gradTheta.storage.allSatisfy { $0 == 0 }, "∇θ was written")
    }

    @Test("merged model gives the unmerged log-probs within 1e-5; unmerge restores θ within 1e-6")
    func mergeMatchesUnmerged() {
        let m = Fixture.model(config: Self.config, lora: LoRAConfig(rank: 4, alpha: 8, targets: [.qkv, .fc, .mlpProj]), scale: 0.1)
        let theta0 = m.theta.storage
        let tokens = Fixture.tokens(2 * 12, V: 13, seed: 7), targets = Fixture.tokens(2 * 12, V: 13, seed: 8)
        let before = m.forward(tokens: tokens, targets: targets, B: 2, T: 12).logprobs
        m.merge()
        #expect(m.isMerged)
        let merged = m.forward(tokens: tokens, targets: targets, B: 2, T: 12).logprobs
        let worst = zip(before, merged).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-5, "max |Δ logprob| = \(worst)")
        #expect(m.theta.storage != theta0, "merge did not change θ")
        m.unmerge()
        let dθ = zip(m.theta.storage, theta0).map { abs($0 - $1) }.max()!
        #expect(dθ <= 1e-6, "max |θ − θ0| after unmerge = \(dθ)")
    }

    @Test("invalid LoRA settings are rejected with the field named")
    func validation() {
        #expect(throws: (any Error).self) { try LoRAConfig(rank: 2, targets: [.qkv, .qkv]).validate() }
        // An unknown target fails when the config is read, with the valid names and the nearest.
        do {
            _ = try JSONDecoder().decode(LoRAConfig.self, from: Data(#"{"rank": 2, "alpha": 4, "targets": ["qkv", "mlp"]}"#.utf8))
            Issue.record("an unknown target was accepted")
        } catch {
            #expect("\(error)".contains("'mlp' is not one of"), "\(error)")
        }
    }
}
