import Foundation
import Testing
import TensorCore

/// The oracle's forward passes against properties and published values that do not depend on either
/// implementation (a gradient check cannot catch a wrong forward).
@Suite("Reference forward: known values and invariants")
struct ReferenceForwardTests {
    @Test func geluMatchesPublishedValues() {
        // The GPT-2 formula evaluated with Python's math module (an independent implementation):
        // 0.5*x*(1+math.tanh(math.sqrt(2/math.pi)*(x+0.044715*x**3))) at x = -1, 0, 1, 3.
        let out = Reference.GELU.forward(inp: [-1, 0, 1, 3])
        expectClose(out, [-0.15880800939172324, 0, 0.8411919906082768, 2.996362607918227], atol: 1e-12, rtol: 0, "gelu")
    }

    @Test func layerNormStandardises() {
        var d = TestData("fwd.layernorm")
        let N = 3, C = 7
        let x = d.doubles(N * C, std: 3, mean: 2)
        let (out, mean, rstd) = Reference.LayerNorm.forward(inp: x, weight: Array(repeating: 1, count: C),
                                                            bias: Array(repeating: 0, count: C), N: N, C: C)
        for n in 0..<N {
            let row = Array(out[n * C..<(n + 1) * C]), xs = Array(x[n * C..<(n + 1) * C])
            let mu = xs.reduce(0, +) / Double(C)
            let variance = xs.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(C)
            #expect(abs(row.reduce(0, +)) < 1e-12, "row \(n) mean \(row.reduce(0, +) / Double(C))")
            let outVar = row.map { $0 * $0 }.reduce(0, +) / Double(C)
            #expect(abs(outVar - variance / (variance + 1e-5)) < 1e-12, "row \(n) variance \(outVar)")
            #expect(abs(mean[n] - mu) < 1e-12 && abs(rstd[n] - 1 / (variance + 1e-5).squareRoot()) < 1e-12)
        }
    }

    @Test func linearWithIdentityWeightAddsBias() {
        let C = 3
        let w: [Double] = [1, 0, 0, 0, 1, 0, 0, 0, 1]
        let out = Reference.Linear.forward(inp: [1, 2, 3, 4, 5, 6], weight: w, bias: [10, 20, 30], N: 2, C: C, OC: C, alpha: 2)
        #expect(out == [12, 24, 36, 18, 30, 42])
    }

    @Test func attentionIsCausalAndAveragesWithEqualKeys() {
        var d = TestData("fwd.attention")
        let B = 1, T = 4, C = 4, NH = 2
        var qkv = d.doubles(B * T * 3 * C)
        for t in 0..<T { for c in 0..<C { qkv[t * 3 * C + C + c] = 0.3 } } // every key equal: uniform weights
        let (out, att) = Reference.Attention.forward(qkv: qkv, B: B, T: T, C: C, NH: NH)
        for h in 0..<NH {
            for t in 0..<T {
                for u in 0..<T {
                    let p = att[(h * T + t) * T + u]
                    #expect(abs(p - (u <= t ? 1 / Double(t + 1) : 0)) < 1e-14, "att h\(h) t\(t) u\(u) = \(p)")
                }
            }
        }
        for t in 0..<T {
            for c in 0..<C {
                let mean = (0...t).map { qkv[$0 * 3 * C + 2 * C + c] }.reduce(0, +) / Double(t + 1)
                #expect(abs(out[t * C + c] - mean) < 1e-14, "out t\(t) c\(c)")
            }
        }
    }

    @Test func logProbOfUniformLogits() {
        let V = 5
        let (lp, probs, entropy) = Reference.TokenLogProb.forward(logits: Array(repeating: 0.7, count: 2 * V),
                                                                  targets: [3, -1], N: 2, V: V)
        #expect(abs(lp[0] + log(Double(V))) < 1e-14 && lp[1] == 0)
        #expect(probs.allSatisfy { abs($0 - 0.2) < 1e-15 })
        #expect(entropy.allSatisfy { abs($0 - log(Double(V))) < 1e-14 })
        #expect(Reference.MaskedNLL.forward(logprobs: [-1, -2, -4], mask: [0, 1, 1]) == 3)
        #expect(Reference.MaskedNLL.forward(logprobs: [-1, -2], mask: [0, 0]) == 0)
    }

    /// Adam's first step moves each parameter by lr·g/(|g| + ε) (m̂ = g, v̂ = g²), a textbook property.
    @Test func adamWFirstStepIsSignStep() {
        var p: [Double] = [1, -2, 0.5], m = [0.0, 0, 0], v = [0.0, 0, 0]
        let g: [Double] = [0.3, -4, 0]
        Reference.AdamW.step(params: &p, grads: g, m: &m, v: &v, t: 1, learningRate: 0.1, beta1: 0.9, beta2: 0.95,
                             epsilon: 1e-8, weightDecay: 0.5)
        let expected = [1 - 0.1 * (0.3 / (0.3 + 1e-8) + 0.5), -2 - 0.1 * (-4 / (4 + 1e-8) - 1), 0.5 - 0.1 * 0.25]
        expectClose(p, expected, atol: 1e-15, rtol: 1e-15, "AdamW step 1")
    }
}
