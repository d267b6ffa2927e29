import Testing
import TensorCore

/// Shapes for the Float32 fast kernels vs the Double reference: T = 1, C not a multiple of 8,
/// NH > 1, T > 16 (beyond one SIMD-friendly block).
let fastShapes = [Shape(B: 1, T: 1, C: 5, NH: 1), Shape(B: 2, T: 3, C: 12, NH: 3), Shape(B: 2, T: 7, C: 10, NH: 2),
                  Shape(B: 3, T: 5, C: 16, NH: 4), Shape(B: 2, T: 17, C: 24, NH: 2)]

/// Fast Float32 layer kernels (embedding, layer norm, linear, GELU, residual) against the Double
/// reference on the same Float-representable inputs. Forward outputs start as NaN (every element
/// must be written); gradients start random (backward must add, not overwrite).
/// Tolerances are stated per kernel as atol + rtol·|expected|; they sit at least 5× above the worst
/// Float32 rounding error observed on these O(1) inputs, except the residual add, whose single
/// rounding is exactly bounded (u = 2⁻²⁴ ≈ 6e-8 relative).
@Suite("Fast kernels vs reference: embedding, layer norm, linear, GELU, residual")
struct FastKernelTests {
    @Test(arguments: fastShapes) func embedding(_ s: Shape) {
        var d = TestData("fast.embedding", UInt64(s.C))
        let V = 7, maxT = s.T + 3, (B, T, C) = (s.B, s.T, s.C)
        let tokens = d.tokens(s.N, below: V)
        let wte = d.floats(V * C), wpe = d.floats(maxT * C), dout = d.floats(s.N * C)
        var out = [Float](repeating: .nan, count: s.N * C)
        Embedding.forward(out: &out, tokens: tokens, wte: wte, wpe: wpe, B: B, T: T, C: C)
        expectClose(out, Reference.Embedding.forward(tokens: tokens, wte: wte.asDouble, wpe: wpe.asDouble, B: B, T: T, C: C),
                    atol: 1e-7, rtol: 1e-6, "embedding out \(s)", shape: [B, T, C], axes: "B,T,C")

        var dwte = d.floats(V * C), dwpe = d.floats(maxT * C)
        var rdwte = dwte.asDouble, rdwpe = dwpe.asDouble
        Embedding.backward(dwte: &dwte, dwpe: &dwpe, dout: dout, tokens: tokens, B: B, T: T, C: C)
        Reference.Embedding.backward(dwte: &rdwte, dwpe: &rdwpe, dout: dout.asDouble, tokens: tokens, B: B, T: T, C: C)
        expectClose(dwte, rdwte, atol: 1e-6, rtol: 1e-5, "dwte \(s)", shape: [V, C], axes: "V,C")
        expectClose(dwpe, rdwpe, atol: 1e-6, rtol: 1e-5, "dwpe \(s)", shape: [maxT, C], axes: "maxT,C")

        // Frozen tables (nil) are skipped and leave the other gradient as before.
        var onlyPos = d.floats(maxT * C)
        let onlyPos0 = onlyPos.asDouble
        Embedding.backward(dwte: nil, dwpe: &onlyPos, dout: dout, tokens: tokens, B: B, T: T, C: C)
        var zeroTok = [Double](repeating: 0, count: V * C), posDelta = [Double](repeating: 0, count: maxT * C)
        Reference.Embedding.backward(dwte: &zeroTok, dwpe: &posDelta, dout: dout.asDouble, tokens: tokens, B: B, T: T, C: C)
        expectClose(onlyPos, plus(onlyPos0, posDelta), atol: 1e-6, rtol: 1e-5, "dwpe alone \(s)")
    }

    @Test(arguments: fastShapes) func layerNorm(_ s: Shape) {
        var d = TestData("fast.layernorm", UInt64(s.C))
        let (N, C) = (s.N, s.C)
        let inp = d.floats(N * C, std: 2, mean: 0.5), weight = d.floats(C, std: 0.5, mean: 1), bias = d.floats(C)
        let dout = d.floats(N * C)
        var out = [Float](repeating: .nan, count: N * C), mean = [Float](repeating: .nan, count: N)
        var rstd = [Float](repeating: .nan, count: N)
        LayerNorm.forward(out: &out, mean: &mean, rstd: &rstd, inp: inp, weight: weight, bias: bias, N: N, C: C)
        let ref = Reference.LayerNorm.forward(inp: inp.asDouble, weight: weight.asDouble, bias: bias.asDouble, N: N, C: C)
        expectClose(out, ref.out, atol: 1e-5, rtol: 1e-5, "layernorm out \(s)", shape: [N, C], axes: "N,C")
        expectClose(mean, ref.mean, atol: 1e-6, rtol: 1e-5, "layernorm mean \(s)", shape: [N], axes: "N")
        expectClose(rstd, ref.rstd, atol: 1e-6, rtol: 1e-5, "layernorm rstd \(s)", shape: [N], axes: "N")

        var dinp = d.floats(N * C), dweight = d.floats(C), dbias = d.floats(C)
        var rdinp = dinp.asDouble, rdweight = dweight.asDouble, rdbias = dbias.asDouble
        let dinp0 = dinp
        LayerNorm.backward(dinp: &dinp, dweight: &dweight, dbias: &dbias, dout: dout, inp: inp, weight: weight,
                           mean: mean, rstd: rstd, N: N, C: C)
        Reference.LayerNorm.backward(dinp: &rdinp, dweight: &rdweight, dbias: &rdbias, dout: dout.asDouble,
                                     inp: inp.asDouble, weight: weight.asDouble, N: N, C: C)
        expectClose(dinp, rdinp, atol: 1e-5, rtol: 1e-4, "layernorm dinp \(s)", shape: [N, C], axes: "N,C")
        expectClose(dweight, rdweight, atol: 1e-5, rtol: 1e-4, "layernorm dweight \(s)", shape: [C], axes: "C")
        expectClose(dbias, rdbias, atol: 1e-5, rtol: 1e-5, "layernorm dbias \(s)", shape: [C], axes: "C")

        // Frozen weight and bias: dinp gets the same contribution.
        var frozen = dinp0
        LayerNorm.backward(dinp: &frozen, dweight: nil, dbias: nil, dout: dout, inp: inp, weight: weight,
                           mean: mean, rstd: rstd, N: N, C: C)
        expectClose(frozen, rdinp, atol: 1e-5, rtol: 1e-4, "layernorm dinp, frozen weight \(s)", shape: [N, C], axes: "N,C")
    }

    /// Linear at OC ∈ {C, 3C, 4C, 7}, alpha ∈ {1, 0.5}, with and without bias, overwrite and accumulate.
    /// GEMM sums over K ≤ 96 terms of O(1) products: atol 3e-5, rtol 3e-5 (worst observed 2.8e-6).
    @Test(arguments: fastShapes) func linear(_ s: Shape) {
        let (N, C) = (s.N, s.C)
        for OC in [C, 3 * C, 4 * C, 7] {
            for alpha in [Float(1), 0.5] {
                var d = TestData("fast.linear", UInt64(OC * 10 + Int(alpha * 2)))
                let inp = d.floats(N * C), weight = d.floats(OC * C), bias = d.floats(OC), dout = d.floats(N * OC)
                let tag = "\(s) OC\(OC) alpha\(alpha)"
                for withBias in [true, false] {
                    let ref = Reference.Linear.forward(inp: inp.asDouble, weight: weight.asDouble,
                                                       bias: withBias ? bias.asDouble : nil, N: N, C: C, OC: OC, alpha: Double(alpha))
                    var out = [Float](repeating: .nan, count: N * OC)
                    Linear.forward(out: &out, inp: inp, weight: weight, bias: withBias ? bias : nil, N: N, C: C, OC: OC, alpha: alpha)
                    expectClose(out, ref, atol: 3e-5, rtol: 3e-5, "linear out \(tag) bias \(withBias)", shape: [N, OC], axes: "N,OC")
                    var acc = d.floats(N * OC)
                    let acc0 = acc.asDouble
                    Linear.forward(out: &acc, inp: inp, weight: weight, bias: withBias ? bias : nil, N: N, C: C, OC: OC,
                                   alpha: alpha, accumulate: true)
                    expectClose(acc, plus(acc0, ref), atol: 3e-5, rtol: 3e-5, "linear out += \(tag) bias \(withBias)",
                                shape: [N, OC], axes: "N,OC")
                }
                var dinp = d.floats(N * C), dweight = d.floats(OC * C), dbias = d.floats(OC)
                var rdinp = dinp.asDouble, rdweight = dweight.asDouble, rdbias = dbias.asDouble
                let dinp0 = dinp, dweight0 = dweight
                Linear.backward(dinp: &dinp, dweight: &dweight, dbias: &dbias, dout: dout, inp: inp, weight: weight,
                                N: N, C: C, OC: OC, alpha: alpha)
                Reference.Linear.backward(dinp: &rdinp, dweight: &rdweight, dbias: &rdbias, dout: dout.asDouble,
                                          inp: inp.asDouble, weight: weight.asDouble, N: N, C: C, OC: OC, alpha: Double(alpha))
                expectClose(dinp, rdinp, atol: 3e-5, rtol: 3e-5, "linear dinp \(tag)", shape: [N, C], axes: "N,C")
                expectClose(dweight, rdweight, atol: 3e-5, rtol: 3e-5, "linear dweight \(tag)", shape: [OC, C], axes: "OC,C")
                expectClose(dbias, rdbias, atol: 3e-5, rtol: 3e-5, "linear dbias \(tag)", shape: [OC], axes: "OC")

                // Each gradient alone (the others nil: frozen or not needed) is the same GEMM.
                var onlyInp = dinp0, onlyWeight = dweight0
                Linear.backward(dinp: &onlyInp, dweight: nil, dbias: nil, dout: dout, inp: inp, weight: weight,
                                N: N, C: C, OC: OC, alpha: alpha)
                Linear.backward(dinp: nil, dweight: &onlyWeight, dbias: nil, dout: dout, inp: inp, weight: weight,
                                N: N, C: C, OC: OC, alpha: alpha)
                #expect(onlyInp == dinp && onlyWeight == dweight, "single-gradient backward differs from full backward \(tag)")
            }
        }
    }

    /// GELU uses tanhf: out atol 1e-6, rtol 1e-5; dinp atol 3e-6, rtol 3e-5 (worst observed 7e-7).
    /// Residual is one Float add, exactly bounded by u = 2⁻²⁴: atol 1e-7, rtol 1e-7.
    @Test(arguments: fastShapes) func geluAndResidual(_ s: Shape) {
        var d = TestData("fast.gelu", UInt64(s.C))
        let n = s.N * 4 * s.C // the MLP hidden size
        let x = d.floats(n, std: 2), y = d.floats(n), dout = d.floats(n)
        var out = [Float](repeating: .nan, count: n)
        GELU.forward(out: &out, inp: x, N: n)
        expectClose(out, Reference.GELU.forward(inp: x.asDouble), atol: 1e-6, rtol: 1e-5, "gelu out \(s)")
        var dx = d.floats(n)
        var rdx = dx.asDouble
        GELU.backward(dinp: &dx, inp: x, dout: dout, N: n)
        Reference.GELU.backward(dinp: &rdx, inp: x.asDouble, dout: dout.asDouble)
        expectClose(dx, rdx, atol: 3e-6, rtol: 3e-5, "gelu dinp \(s)")

        var sum = [Float](repeating: .nan, count: n)
        Residual.forward(out: &sum, a: x, b: y, N: n)
        expectClose(sum, Reference.Residual.forward(a: x.asDouble, b: y.asDouble), atol: 1e-7, rtol: 1e-7, "residual out \(s)")
        var da = d.floats(n), db = d.floats(n)
        var rda = da.asDouble, rdb = db.asDouble
        Residual.backward(da: &da, db: &db, dout: dout, N: n)
        Reference.Residual.backward(da: &rda, db: &rdb, dout: dout.asDouble)
        expectClose(da, rda, atol: 1e-7, rtol: 1e-7, "residual da \(s)")
        expectClose(db, rdb, atol: 1e-7, rtol: 1e-7, "residual db \(s)")
    }
}
