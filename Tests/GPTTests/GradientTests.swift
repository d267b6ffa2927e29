import Foundation
import GPT
import Testing
import TensorCore

/// Whole-model directional-derivative checks: for every tensor X of θ and w and a random direction d
/// supported on X, ⟨∇X L, d⟩ from backward must match the central difference
/// D(ε) = (L(X + εd) − L(X − εd)) / 2ε, Richardson-extrapolated as (4·D(ε/2) − D(ε))/3, where L = Σ c_n·logprob_n with random weights c (so the check covers
/// an arbitrary upstream gradient, as RL losses produce). Float32 throughout: ε = 1e-2 (entries of d
/// are N(0,1)), loss summed in Double, tolerance |a − n| ≤ 2e-2·max(|a|,|n|) + 2e-4.
@Suite("GPT gradients")
struct GradientTests {
    static let B = 2, T = 7

    static func loss(_ m: GPTModel, tokens: [Int32], targets: [Int32], c: [Float], temperature: Float, B: Int, T: Int) -> Double {
        let out = m.forward(tokens: tokens, targets: targets, B: B, T: T, temperature: temperature)
        return zip(out.logprobs, c).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Checks every tensor of θ (wantTheta) or w; returns the failures as text.
    static func check(wantTheta: Bool, temperature: Float, lora: LoRAConfig, B: Int = B, T: Int = T,
                      config: GPTConfig = Fixture.tiny) -> [String] {
        let m = Fixture.model(config: config, lora: lora)
        let V = m.config.vocabSize, N = B * T
        let tokens = Fixture.tokens(N, V: V, seed: 1)
        var targets = Fixture.tokens(N, V: V, seed: 2)
        targets[3] = -1 // an ignored position
        let c = Fixture.randomVector(N, seed: 3)
        m.zeroGradients()
        _ = m.forward(tokens: tokens, targets: targets, B: B, T: T, temperature: temperature)
        m.backward(dlogprobs: c, theta: wantTheta, w: !wantTheta)
        let grads = wantTheta ? m.gradTheta : m.gradW
        let params = wantTheta ? m.theta : m.w
        var failures: [String] = []
        let eps: Float = 1e-2
        for (k, spec) in params.tensors.enumerated() {
            let d = Fixture.randomVector(spec.count, seed: 100 + UInt64(k))
            var analytic = 0.0
            for i in 0..<spec.count { analytic += Double(grads.storage[spec.offset + i]) * Double(d[i]) }
            func shifted(_ s: Float) -> Double {
                let probe = m.copy()
                for i in 0..<spec.count {
                    if wantTheta { probe.theta.storage[spec.offset + i] += s * d[i] } else { probe.w.storage[spec.offset + i] += s * d[i] }
                }
                return loss(probe, tokens: tokens, targets: targets, c: c, temperature: temperature, B: B, T: T)
            }
            // Richardson extrapolation of two central differences cancels the O(ε²) truncation term.
            let dBig = (shifted(eps) - shifted(-eps)) / (2 * Double(eps))
            let dSmall = (shifted(eps / 2) - shifted(-eps / 2)) / Double(eps)
            let numeric = (4 * dSmall - dBig) / 3
            let tol = 2e-2 * max(abs(analytic), abs(numeric)) + 2e-4
            if !(abs(analytic - numeric) <= tol) {
                failures.append("\(spec.name): analytic \(analytic) numeric \(numeric) (|diff| \(abs(analytic - numeric)) > \(tol))")
            }
        }
        return failures
    }

    @Test("∇θ matches central differences for every θ tensor (LoRA active)")
    func thetaGradient() {
        let failures = Self.check(wantTheta: true, temperature: 1, lora: LoRAConfig(rank: 2, alpha: 3))
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("∇θ matches central differences at temperature 0.7 without LoRA")
    func thetaGradientTemperature() {
        let failures = Self.check(wantTheta: true, temperature: 0.7, lora: .none)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("∇θ and ∇w match central differences at T = 150 (attention in three causal row blocks)")
    func longSequence() {
        let config = GPTConfig(vocabSize: 11, contextLength: 160, channels: 8, layers: 1, heads: 2)
        let lora = LoRAConfig(rank: 2, alpha: 3, targets: [.qkv])
        let failures = Self.check(wantTheta: true, temperature: 1, lora: lora, B: 1, T: 150, config: config)
            + Self.check(wantTheta: false, temperature: 1, lora: lora, B: 1, T: 150, config: config)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("∇w matches central differences for every adapter tensor")
    func wGradient() {
        let failures = Self.check(wantTheta: false, temperature: 1, lora: LoRAConfig(rank: 2, alpha: 3))
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("θ-only, w-only and joint backward agree and touch only the requested buffers")
    func modes() {
        let m = Fixture.model()
        let N = Self.B * Self.T, V = m.config.vocabSize
        let tokens = Fixture.tokens(N, V: V, seed: 4), targets = Fixture.tokens(N, V: V, seed: 5)
        let c = Fixture.randomVector(N, seed: 6)
        _ = m.forward(tokens: tokens, targets: targets, B: Self.B, T: Self.T)
        m.zeroGradients(); m.backward(dlogprobs: c, theta: true, w: false)
        let gt = m.gradTheta.storage
        #expect(m.gradW.storage.allSatisfy { $0 == 0 }, "θ-only backward wrote into gradW")
        m.zeroGradients(); m.backward(dlogprobs: c, theta: false, w: true)
        let gw = m.gradW.storage
        #expect(m.gradTheta.storage.allSatisfy { $0 == 0 }, "w-only backward wrote into gradTheta")
        m.zeroGradients(); m.backward(dlogprobs: c, theta: true, w: true)
        #expect(m.gradTheta.storage == gt, "joint ∇θ differs from θ-only")
        #expect(m.gradW.storage == gw, "joint ∇w differs from w-only")
        #expect(gw.contains { $0 != 0 } && gt.contains { $0 != 0 })
    }
}
