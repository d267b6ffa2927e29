import Foundation
import GPT
import Testing
import TensorCore

/// Generation 3 takes a training step in chunks of whole sequences (`KernelGeneration.trainingChunkRows`).
/// The chunked step must compute the same function as generation 2's one-chunk step: equal log-probs and
/// gradients up to the rounding of a different summation order (GradientTests checks generation 2's
/// gradients against finite differences), and the very same bits when the batch fits one chunk.
@Suite("chunked training step")
struct ChunkedStepTests {
    static let config = GPTConfig(vocabSize: 11, contextLength: 64, channels: 16, layers: 2, heads: 2)

    struct Step { var logprobs: [Float]; var entropy: [Float]; var gradTheta: [Float]; var gradW: [Float] }

    static func step(_ m: GPTModel, B: Int, T: Int, kernels: KernelGeneration, theta: Bool = true, w: Bool = true,
                     backwardFollows: Bool = true) -> Step {
        let N = B * T, V = config.vocabSize
        let tokens = Fixture.tokens(N, V: V, seed: 1)
        var targets = Fixture.tokens(N, V: V, seed: 2)
        targets[5] = -1
        let c = Fixture.randomVector(N, seed: 3)
        m.zeroGradients()
        let out = m.forward(tokens: tokens, targets: targets, B: B, T: T, temperature: 0.8, computeEntropy: true, kernels: kernels,
                            backwardFollows: backwardFollows)
        m.backward(dlogprobs: c, theta: theta, w: w)
        return Step(logprobs: out.logprobs, entropy: out.entropy, gradTheta: m.gradTheta.storage, gradW: m.gradW.storage)
    }

    /// ‖a − b‖ / ‖b‖ in Double.
    static func relativeDistance(_ a: [Float], _ b: [Float]) -> Double {
        var d = 0.0, n = 0.0
        for (x, y) in zip(a, b) { d += Double(x - y) * Double(x - y); n += Double(y) * Double(y) }
        return (d / max(n, 1e-30)).squareRoot()
    }

    @Test("the chunk rule: max(1, rows / T) whole sequences, one chunk of all B before generation 3")
    func chunkRule() {
        #expect(KernelGeneration.v3.trainingChunkRows == 1024)
        #expect(KernelGeneration.v3.trainingChunkSequences(B: 40, T: 64) == 16)
        #expect(KernelGeneration.v3.trainingChunkSequences(B: 8, T: 64) == 8)
        #expect(KernelGeneration.v3.trainingChunkSequences(B: 4, T: 2048) == 1)
        for g in [KernelGeneration.v1, .v2] { #expect(g.trainingChunkSequences(B: 40, T: 64) == 40) }
    }

    /// θ and w together, θ only (no adapter gradient) and w only (θ frozen: input gradients still flow).
    @Test("in chunks (16 + 16 + 8 sequences), log-probs and ∇θ, ∇w equal generation 2's up to rounding; repeatable bit for bit",
          arguments: [(true, true), (true, false), (false, true)])
    func chunkedStepMatchesOneChunk(_ grads: (theta: Bool, w: Bool)) {
        let B = 40, T = 64
        #expect(KernelGeneration.v3.trainingChunkSequences(B: B, T: T) < B, "the batch must span several chunks")
        let m = Fixture.model(config: Self.config)
        let whole = Self.step(m.copy(), B: B, T: T, kernels: .v2, theta: grads.theta, w: grads.w)
        let chunked = Self.step(m.copy(), B: B, T: T, kernels: .v3, theta: grads.theta, w: grads.w)
        #expect(zip(chunked.logprobs, whole.logprobs).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
        #expect(zip(chunked.entropy, whole.entropy).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
        #expect(Self.relativeDistance(chunked.gradTheta, whole.gradTheta) < 1e-5)
        #expect(Self.relativeDistance(chunked.gradW, whole.gradW) < 1e-5)
        #expect(whole.gradTheta.contains { $0 != 0 } == grads.theta && whole.gradW.contains { $0 != 0 } == grads.w)
        let again = Self.step(m.copy(), B: B, T: T, kernels: .v3, theta: grads.theta, w: grads.w)
        #expect(again.logprobs == chunked.logprobs && again.gradTheta == chunked.gradTheta && again.gradW == chunked.gradW)
    }

    /// The forward keeps GELU's slope for the backward unless told that none follows; a backward after such a
    /// forward computes the slope itself. Log-probs and gradients must not depend on which happened.
    @Test("a forward told that no backward follows gives the same log-probs, and a backward after it the same gradients, bit for bit",
          arguments: KernelGeneration.allCases)
    func forwardWithoutSlopes(_ g: KernelGeneration) {
        let B = 40, T = 64
        let m = Fixture.model(config: Self.config)
        let kept = Self.step(m.copy(), B: B, T: T, kernels: g), recomputed = Self.step(m.copy(), B: B, T: T, kernels: g, backwardFollows: false)
        #expect(kept.logprobs == recomputed.logprobs && kept.entropy == recomputed.entropy)
        #expect(kept.gradTheta == recomputed.gradTheta && kept.gradW == recomputed.gradW)
        #expect(kept.gradTheta.contains { $0 != 0 } && kept.gradW.contains { $0 != 0 })
    }

    @Test("a batch that fits one chunk gets generation 2's bits")
    func oneChunkIsGenerationTwo() {
        let B = 4, T = 64
        #expect(KernelGeneration.v3.trainingChunkSequences(B: B, T: T) == B)
        let m = Fixture.model(config: Self.config)
        let two = Self.step(m.copy(), B: B, T: T, kernels: .v2), three = Self.step(m.copy(), B: B, T: T, kernels: .v3)
        #expect(two.logprobs == three.logprobs && two.entropy == three.entropy)
        #expect(two.gradTheta == three.gradTheta && two.gradW == three.gradW)
    }
}
