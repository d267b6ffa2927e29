import Testing
import TensorCore

/// Fast Float32 attention and loss kernels against the Double reference (same conventions as
/// FastKernelTests: NaN-filled outputs, random-filled gradients).
@Suite("Fast kernels vs reference: attention, token log-prob, masked NLL")
struct FastAttentionLossTests {
    /// Head sizes and lengths that reach every SIMD path of the attention tiles (8- and 32-lane chunks,
    /// scalar channel tails, 16/8/scalar key tails, 4-row blocks and row tails): hs 8, 16, 20, 48.
    static let attentionShapes = [Shape(B: 1, T: 9, C: 16, NH: 2), Shape(B: 2, T: 21, C: 64, NH: 4),
                                  Shape(B: 1, T: 38, C: 40, NH: 2), Shape(B: 1, T: 67, C: 96, NH: 2)]

    /// Scores are dot products over hs ≤ 48 terms and softmax sums over T ≤ 67: atol 1e-5, rtol 1e-4.
    /// Every kernel generation.
    @Test(arguments: KernelGeneration.allCases, fastShapes + attentionShapes) func attention(_ g: KernelGeneration, _ s: Shape) {
        var d = TestData("fast.attention", UInt64(s.C * 100 + s.T))
        let (B, T, C, NH) = (s.B, s.T, s.C, s.NH)
        let qkv = d.floats(s.N * 3 * C), dout = d.floats(s.N * C)
        var out = [Float](repeating: .nan, count: s.N * C), att = [Float](repeating: .nan, count: B * NH * T * T)
        Attention.forward(out: &out, att: &att, qkv: qkv, B: B, T: T, C: C, NH: NH, kernels: g)
        let ref = Reference.Attention.forward(qkv: qkv.asDouble, B: B, T: T, C: C, NH: NH)
        expectClose(out, ref.out, atol: 1e-5, rtol: 1e-4, "attention out \(s)", shape: [B, T, C], axes: "B,T,C")
        expectClose(att, ref.att, atol: 1e-6, rtol: 1e-4, "attention att \(s)", shape: [B, NH, T, T], axes: "B,NH,T,T")

        // dqkv is written, not accumulated: NaN-filled, every element must be overwritten.
        var dqkv = [Float](repeating: .nan, count: s.N * 3 * C), scratch = [Float](repeating: .nan, count: T * T)
        var rdqkv = [Double](repeating: 0, count: s.N * 3 * C)
        Attention.backward(dqkv: &dqkv, scratch: &scratch, dout: dout, qkv: qkv, att: att, B: B, T: T, C: C, NH: NH, kernels: g)
        Reference.Attention.backward(dqkv: &rdqkv, dout: dout.asDouble, qkv: qkv.asDouble, B: B, T: T, C: C, NH: NH)
        expectClose(dqkv, rdqkv, atol: 1e-5, rtol: 1e-4, "attention dqkv \(s)", shape: [B, T, 3 * C], axes: "B,T,3C")
    }

    /// The KV-cache decoder's path (one query row of every head: `decodeRow`'s scores on the blocked key
    /// cache, softmax and weighted values) gives the full forward's probabilities and outputs bit for bit,
    /// in every kernel generation.
    @Test(arguments: KernelGeneration.allCases, attentionShapes) func decoderRowEqualsForward(_ g: KernelGeneration, _ s: Shape) {
        var d = TestData("fast.attention.row", UInt64(s.C * 100 + s.T))
        let (B, T, C, NH) = (s.B, s.T, s.C, s.NH)
        let hs = C / NH, scale = 1 / Float(hs).squareRoot(), cap = T + 5
        let stride = AttentionTiles.blockedKeyCount(positions: cap, hs: hs), ldo = (cap + 7) / 8 * 8
        let qkv = d.floats(s.N * 3 * C)
        var out = [Float](repeating: .nan, count: s.N * C), att = [Float](repeating: .nan, count: B * NH * T * T)
        Attention.forward(out: &out, att: &att, qkv: qkv, B: B, T: T, C: C, NH: NH, kernels: g)
        var mismatch: String? = nil
        for b in 0..<B {
            var keys = [Float](repeating: 0, count: NH * stride), values = [Float](repeating: 0, count: NH * stride)
            for h in 0..<NH {
                for j in 0..<T {
                    for c in 0..<hs {
                        keys[h * stride + AttentionTiles.blockedKeyOffset(position: j, channel: c, hs: hs)] =
                            qkv[(b * T + j) * 3 * C + C + h * hs + c]
                        values[h * stride + j * hs + c] = qkv[(b * T + j) * 3 * C + 2 * C + h * hs + c]
                    }
                }
            }
            for i in 0..<T {
                var rows = [Float](repeating: 0, count: NH * ldo), o = [Float](repeating: .nan, count: C)
                let q = Array(qkv[((b * T + i) * 3 * C)...].prefix(C))
                AttentionTiles.decodeRow(out: &o, scores: &rows, ldo: ldo, q: q, keys: keys, values: values, headStride: stride,
                                         heads: NH, n: i + 1, hs: hs, scale: scale, kernels: g)
                for h in 0..<NH {
                    for j in 0...i where rows[h * ldo + j].bitPattern != att[((b * NH + h) * T + i) * T + j].bitPattern && mismatch == nil {
                        mismatch = "p[b\(b) h\(h) i\(i) j\(j)]: \(rows[h * ldo + j]) vs \(att[((b * NH + h) * T + i) * T + j])"
                    }
                }
                for c in 0..<C where o[c].bitPattern != out[(b * T + i) * C + c].bitPattern && mismatch == nil {
                    mismatch = "out[b\(b) i\(i) c\(c)]: \(o[c]) vs \(out[(b * T + i) * C + c])"
                }
            }
        }
        #expect(mismatch == nil, "\(s): \(mismatch ?? "")")
    }

    /// Log-softmax over V ≤ 49 logits of std 3: atol 1e-5, rtol 1e-5.
    @Test(arguments: fastShapes) func tokenLogProb(_ s: Shape) {
        var d = TestData("fast.logprob", UInt64(s.C))
        let N = s.N, V = 2 * s.C + 1
        var targets = d.tokens(N, below: V)
        for n in stride(from: 0, to: N, by: 4) where N > 1 { targets[n] = -1 } // ignored positions
        let logits = d.floats(N * V, std: 3), dlogprobs = d.floats(N)
        var lp = [Float](repeating: .nan, count: N), probs = [Float](repeating: .nan, count: N * V)
        var entropy = [Float](repeating: .nan, count: N)
        TokenLogProb.forward(logprobs: &lp, probs: &probs, entropy: &entropy, logits: logits, targets: targets, N: N, V: V)
        let ref = Reference.TokenLogProb.forward(logits: logits.asDouble, targets: targets, N: N, V: V)
        expectClose(lp, ref.logprobs, atol: 1e-5, rtol: 1e-5, "logprobs \(s)", shape: [N], axes: "N")
        expectClose(probs, ref.probs, atol: 1e-6, rtol: 1e-5, "probs \(s)", shape: [N, V], axes: "N,V")
        expectClose(entropy, ref.entropy, atol: 1e-5, rtol: 1e-5, "entropy \(s)", shape: [N], axes: "N")
        var lpNoEntropy = [Float](repeating: .nan, count: N)
        TokenLogProb.forward(logprobs: &lpNoEntropy, probs: &probs, entropy: nil, logits: logits, targets: targets, N: N, V: V)
        #expect(lpNoEntropy == lp, "logprobs depend on whether entropy is requested \(s)")

        var dlogits = d.floats(N * V)
        var rdlogits = dlogits.asDouble
        TokenLogProb.backward(dlogits: &dlogits, dlogprobs: dlogprobs, probs: probs, targets: targets, N: N, V: V)
        Reference.TokenLogProb.backward(dlogits: &rdlogits, dlogprobs: dlogprobs.asDouble, logits: logits.asDouble,
                                        targets: targets, N: N, V: V)
        expectClose(dlogits, rdlogits, atol: 1e-6, rtol: 1e-5, "dlogits \(s)", shape: [N, V], axes: "N,V")
    }

    /// Softmax cross-entropy with a loss mask (prompt positions 0) through the fast chain
    /// TokenLogProb → MaskedNLL and back, against the reference chain.
    @Test(arguments: fastShapes) func maskedCrossEntropy(_ s: Shape) {
        var d = TestData("fast.crossentropy", UInt64(s.C))
        let N = s.N, V = s.C + 2, scale: Float = 1.5
        let logits = d.floats(N * V, std: 2), targets = d.tokens(N, below: V)
        let mask: [Float] = (0..<N).map { $0 % s.T < (s.T + 1) / 2 && s.T > 1 ? 0 : 1 } // first half of each row: prompt
        var lp = [Float](repeating: .nan, count: N), probs = [Float](repeating: .nan, count: N * V)
        TokenLogProb.forward(logprobs: &lp, probs: &probs, entropy: nil, logits: logits, targets: targets, N: N, V: V)
        let loss = MaskedNLL.forward(logprobs: lp, mask: mask, N: N)
        let rlp = Reference.TokenLogProb.forward(logits: logits.asDouble, targets: targets, N: N, V: V).logprobs
        let rloss = Reference.MaskedNLL.forward(logprobs: rlp, mask: mask.asDouble)
        expectClose([loss], [rloss], atol: 1e-6, rtol: 1e-5, "masked NLL loss \(s)")

        var dlp = d.floats(N), dlogits = [Float](repeating: 0, count: N * V)
        var rdlp = dlp.asDouble, rdlogits = [Double](repeating: 0, count: N * V)
        let dlp0 = dlp
        MaskedNLL.backward(dlogprobs: &dlp, mask: mask, N: N, scale: scale)
        Reference.MaskedNLL.backward(dlogprobs: &rdlp, mask: mask.asDouble, scale: Double(scale))
        expectClose(dlp, rdlp, atol: 1e-6, rtol: 1e-6, "dlogprobs \(s)", shape: [N], axes: "N")
        let added = minus(dlp.asDouble, dlp0.asDouble).map(Float.init)
        TokenLogProb.backward(dlogits: &dlogits, dlogprobs: added, probs: probs, targets: targets, N: N, V: V)
        Reference.TokenLogProb.backward(dlogits: &rdlogits, dlogprobs: minus(rdlp, dlp0.asDouble), logits: logits.asDouble,
                                        targets: targets, N: N, V: V)
        expectClose(dlogits, rdlogits, atol: 1e-6, rtol: 1e-5, "cross-entropy dlogits \(s)", shape: [N, V], axes: "N,V")
        for n in 0..<N where mask[n] == 0 {
            #expect((0..<V).allSatisfy { dlogits[n * V + $0] == 0 }, "prompt position \(n) got a gradient \(s)")
        }
    }

    @Test func maskedNLLWithEmptyMaskIsZeroAndAddsNothing() {
        let lp: [Float] = [-1, -2, -3], mask: [Float] = [0, 0, 0]
        #expect(MaskedNLL.forward(logprobs: lp, mask: mask, N: 3) == 0)
        var g: [Float] = [0.5, -0.25, 2]
        MaskedNLL.backward(dlogprobs: &g, mask: mask, N: 3, scale: 1)
        #expect(g == [0.5, -0.25, 2])
    }
}
