import Testing
import TensorCore

/// Every Reference backward against central differences of L = Σ r·out (r random, so one scalar checks
/// all outputs at once), with respect to every differentiable input and parameter. Gradient buffers
/// are prefilled with random values and the check is on what backward *added*, so the accumulate (+=)
/// contract is checked too. Tolerances: atol 1e-8, rtol 1e-6 (the issue asks for 1e-5 / 1e-3 or
/// tighter); h = 1e-5 gives truncation error ≈ h²·f‴ ≈ 1e-10 and rounding ≈ 1e-16·|L|/h ≈ 1e-10
/// (worst observed: 3e-10), a margin of ~30×.
@Suite("Reference backward = central differences")
struct ReferenceGradientTests {
    static let shapes = [Shape(B: 1, T: 1, C: 4, NH: 1), Shape(B: 2, T: 4, C: 6, NH: 2), Shape(B: 1, T: 5, C: 9, NH: 3)]
    static let atol = 1e-8, rtol = 1e-6

    func check(_ analytic: [Double], _ numeric: [Double], _ what: String, shape: [Int], axes: String,
               sourceLocation: SourceLocation = #_sourceLocation) {
        expectClose(analytic, numeric, atol: Self.atol, rtol: Self.rtol, what, shape: shape, axes: axes,
                    sourceLocation: sourceLocation)
    }

    @Test(arguments: shapes) func embedding(_ s: Shape) {
        var d = TestData("grad.embedding", UInt64(s.C))
        let V = 5, maxT = s.T + 2 // V < N: tokens repeat, so the scatter must add
        let tokens = d.tokens(s.N, below: V)
        let wte = d.doubles(V * s.C), wpe = d.doubles(maxT * s.C), r = d.doubles(s.N * s.C)
        var dwte = d.doubles(V * s.C), dwpe = d.doubles(maxT * s.C)
        let dwte0 = dwte, dwpe0 = dwpe
        Reference.Embedding.backward(dwte: &dwte, dwpe: &dwpe, dout: r, tokens: tokens, B: s.B, T: s.T, C: s.C)
        func L(_ wte: [Double], _ wpe: [Double]) -> Double {
            Reference.dot(r, Reference.Embedding.forward(tokens: tokens, wte: wte, wpe: wpe, B: s.B, T: s.T, C: s.C))
        }
        check(minus(dwte, dwte0), numericalGradient(wte) { L($0, wpe) }, "dwte \(s)", shape: [V, s.C], axes: "V,C")
        check(minus(dwpe, dwpe0), numericalGradient(wpe) { L(wte, $0) }, "dwpe \(s)", shape: [maxT, s.C], axes: "maxT,C")
    }

    @Test(arguments: shapes) func layerNorm(_ s: Shape) {
        var d = TestData("grad.layernorm", UInt64(s.C))
        let inp = d.doubles(s.N * s.C, std: 2, mean: 0.5), weight = d.doubles(s.C, std: 0.5, mean: 1)
        let bias = d.doubles(s.C), r = d.doubles(s.N * s.C)
        var dinp = d.doubles(s.N * s.C), dweight = d.doubles(s.C), dbias = d.doubles(s.C)
        let dinp0 = dinp, dweight0 = dweight, dbias0 = dbias
        Reference.LayerNorm.backward(dinp: &dinp, dweight: &dweight, dbias: &dbias, dout: r, inp: inp,
                                     weight: weight, N: s.N, C: s.C)
        func L(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            Reference.dot(r, Reference.LayerNorm.forward(inp: x, weight: w, bias: b, N: s.N, C: s.C).out)
        }
        check(minus(dinp, dinp0), numericalGradient(inp) { L($0, weight, bias) }, "dinp \(s)", shape: [s.N, s.C], axes: "N,C")
        check(minus(dweight, dweight0), numericalGradient(weight) { L(inp, $0, bias) }, "dweight \(s)", shape: [s.C], axes: "C")
        check(minus(dbias, dbias0), numericalGradient(bias) { L(inp, weight, $0) }, "dbias \(s)", shape: [s.C], axes: "C")
    }

    @Test(arguments: shapes) func linear(_ s: Shape) {
        var d = TestData("grad.linear", UInt64(s.C))
        let OC = 5, alpha = 0.75
        let inp = d.doubles(s.N * s.C), weight = d.doubles(OC * s.C), bias = d.doubles(OC), r = d.doubles(s.N * OC)
        var dinp = d.doubles(s.N * s.C), dweight = d.doubles(OC * s.C), dbias = d.doubles(OC)
        let dinp0 = dinp, dweight0 = dweight, dbias0 = dbias
        Reference.Linear.backward(dinp: &dinp, dweight: &dweight, dbias: &dbias, dout: r, inp: inp, weight: weight,
                                  N: s.N, C: s.C, OC: OC, alpha: alpha)
        func L(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            Reference.dot(r, Reference.Linear.forward(inp: x, weight: w, bias: b, N: s.N, C: s.C, OC: OC, alpha: alpha))
        }
        check(minus(dinp, dinp0), numericalGradient(inp) { L($0, weight, bias) }, "dinp \(s)", shape: [s.N, s.C], axes: "N,C")
        check(minus(dweight, dweight0), numericalGradient(weight) { L(inp, $0, bias) }, "dweight \(s)", shape: [OC, s.C], axes: "OC,C")
        check(minus(dbias, dbias0), numericalGradient(bias) { L(inp, weight, $0) }, "dbias \(s)", shape: [OC], axes: "OC")
    }

    @Test(arguments: shapes) func geluAndResidual(_ s: Shape) {
        var d = TestData("grad.gelu", UInt64(s.C))
        let n = s.N * s.C
        let x = d.doubles(n, std: 2), y = d.doubles(n), r = d.doubles(n) // std 2 reaches the saturated tails
        var dx = d.doubles(n), dy = d.doubles(n)
        let dx0 = dx, dy0 = dy
        Reference.GELU.backward(dinp: &dx, inp: x, dout: r)
        check(minus(dx, dx0), numericalGradient(x) { Reference.dot(r, Reference.GELU.forward(inp: $0)) },
              "gelu dinp \(s)", shape: [n], axes: "N")
        dx = dx0
        Reference.Residual.backward(da: &dx, db: &dy, dout: r)
        check(minus(dx, dx0), numericalGradient(x) { Reference.dot(r, Reference.Residual.forward(a: $0, b: y)) },
              "residual da \(s)", shape: [n], axes: "N")
        check(minus(dy, dy0), numericalGradient(y) { Reference.dot(r, Reference.Residual.forward(a: x, b: $0)) },
              "residual db \(s)", shape: [n], axes: "N")
    }

    @Test(arguments: shapes) func attention(_ s: Shape) {
        var d = TestData("grad.attention", UInt64(s.C))
        let qkv = d.doubles(s.N * 3 * s.C), r = d.doubles(s.N * s.C)
        var dqkv = d.doubles(s.N * 3 * s.C)
        let dqkv0 = dqkv
        Reference.Attention.backward(dqkv: &dqkv, dout: r, qkv: qkv, B: s.B, T: s.T, C: s.C, NH: s.NH)
        let numeric = numericalGradient(qkv) {
            Reference.dot(r, Reference.Attention.forward(qkv: $0, B: s.B, T: s.T, C: s.C, NH: s.NH).out)
        }
        check(minus(dqkv, dqkv0), numeric, "dqkv \(s)", shape: [s.B, s.T, 3 * s.C], axes: "B,T,3C")
    }

    @Test(arguments: shapes) func tokenLogProbAndMaskedNLL(_ s: Shape) {
        var d = TestData("grad.logprob", UInt64(s.C))
        let V = 7, N = s.N
        var targets = d.tokens(N, below: V)
        if N > 2 { targets[1] = -1 } // an ignored position
        let logits = d.doubles(N * V, std: 2), r = d.doubles(N)
        var dlogits = d.doubles(N * V)
        let dlogits0 = dlogits
        Reference.TokenLogProb.backward(dlogits: &dlogits, dlogprobs: r, logits: logits, targets: targets, N: N, V: V)
        let numeric = numericalGradient(logits) {
            Reference.dot(r, Reference.TokenLogProb.forward(logits: $0, targets: targets, N: N, V: V).logprobs)
        }
        check(minus(dlogits, dlogits0), numeric, "dlogits \(s)", shape: [N, V], axes: "N,V")

        // Masked NLL with respect to logprobs (the mask is data, not differentiated), scaled.
        let logprobs = d.doubles(N, std: 1, mean: -2)
        let mask: [Double] = (0..<N).map { $0 % 3 == 0 ? 0 : 1 }
        let scale = 1.5
        var dlp = d.doubles(N)
        let dlp0 = dlp
        Reference.MaskedNLL.backward(dlogprobs: &dlp, mask: mask, scale: scale)
        check(minus(dlp, dlp0), numericalGradient(logprobs) { scale * Reference.MaskedNLL.forward(logprobs: $0, mask: mask) },
              "dlogprobs \(s)", shape: [N], axes: "N")
    }

    /// Softmax cross-entropy with a loss mask = TokenLogProb then MaskedNLL: the chained backward
    /// matches the finite differences of the composite loss with respect to the logits.
    @Test(arguments: shapes) func maskedCrossEntropyChain(_ s: Shape) {
        var d = TestData("grad.crossentropy", UInt64(s.C))
        let V = 6, N = s.N
        let logits = d.doubles(N * V, std: 2), targets = d.tokens(N, below: V)
        let mask: [Double] = (0..<N).map { $0 < N / 2 ? 0 : 1 } // prompt tokens first, ignored
        func loss(_ l: [Double]) -> Double {
            Reference.MaskedNLL.forward(logprobs: Reference.TokenLogProb.forward(logits: l, targets: targets, N: N, V: V).logprobs, mask: mask)
        }
        var dlp = [Double](repeating: 0, count: N), dlogits = [Double](repeating: 0, count: N * V)
        Reference.MaskedNLL.backward(dlogprobs: &dlp, mask: mask)
        Reference.TokenLogProb.backward(dlogits: &dlogits, dlogprobs: dlp, logits: logits, targets: targets, N: N, V: V)
        check(dlogits, numericalGradient(logits, loss), "cross-entropy dlogits \(s)", shape: [N, V], axes: "N,V")
    }
}
