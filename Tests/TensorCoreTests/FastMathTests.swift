import CNumerics
import Foundation
import Testing
import TensorCore

/// Accuracy of the vectorised exp and of GELU built on it, against Double libm, in every kernel generation.
@Suite("FastMath")
struct FastMathTests {
    @Test("FastMath.exp is within 3 ulp of Double exp on [−87, 88]", arguments: KernelGeneration.allCases)
    func expAccuracy(_ g: KernelGeneration) {
        var worst = (ulps: 0.0, x: Float(0))
        var x: Float = -87
        while x < 88 {
            let got = FastMath.exp(x, kernels: g), want = Foundation.exp(Double(x))
            let ulps = abs(Double(got) - want) / Double(Float(want).ulp)
            if ulps > worst.ulps { worst = (ulps, x) }
            x += 0.01173
        }
        #expect(worst.ulps <= 3, "generation \(g): worst \(worst.ulps) ulp at x = \(worst.x)")
    }

    @Test("GELU forward and backward match the Double tanh formula (rtol 1e-6 + atol 1e-7)", arguments: KernelGeneration.allCases)
    func geluAccuracy(_ g: KernelGeneration) {
        let xs: [Float] = stride(from: -12, through: 12, by: 0.0137).map { Float($0) } + [0, -0, 1e-8, -1e-8]
        var out = [Float](repeating: 0, count: xs.count), grad = [Float](repeating: 0.5, count: xs.count)
        let ones = [Float](repeating: 1, count: xs.count)
        GELU.forward(out: &out, inp: xs, N: xs.count, kernels: g)
        GELU.backward(dinp: &grad, inp: xs, dout: ones, N: xs.count, kernels: g)
        let c = (2 / Double.pi).squareRoot()
        var worst = (err: 0.0, what: "")
        for (i, xf) in xs.enumerated() {
            let x = Double(xf), u = c * (x + 0.044715 * x * x * x), th = Foundation.tanh(u)
            let f = 0.5 * x * (1 + th)
            let d = 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * c * (1 + 3 * 0.044715 * x * x)
            for (got, want, name) in [(Double(out[i]), f, "forward"), (Double(grad[i]) - 0.5, d, "backward")] {
                let err = abs(got - want) / (1e-6 * abs(want) + 1e-7)
                if err > worst.err { worst = (err, "\(name) at x = \(xf): \(got) vs \(want)") }
            }
        }
        #expect(worst.err <= 1, "generation \(g): \(worst.what)")
    }

    @Test("FastMath.exp8 lanes equal FastMath.exp bit for bit, clamps and NaN included", arguments: KernelGeneration.allCases)
    func exp8EqualsScalar(_ g: KernelGeneration) {
        var xs: [Float] = stride(from: -95, through: 95, by: 0.00731).map { Float($0) }
        xs += [0, -0, -87.3, 88.3, -87.29999, 88.29999, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, 1e-30]
        while xs.count % 8 != 0 { xs.append(1) }
        var first: Float? = nil
        for i in stride(from: 0, to: xs.count, by: 8) {
            let v = FastMath.exp8(SIMD8(xs[i..<(i + 8)]), kernels: g)
            for k in 0..<8 {
                let w = FastMath.exp(xs[i + k], kernels: g)
                let same = w.isNaN ? v[k].isNaN : v[k].bitPattern == w.bitPattern
                if !same && first == nil { first = xs[i + k] }
            }
        }
        #expect(first == nil, "generation \(g): first lane that differs from the scalar exp at x = \(first ?? 0)")
    }

    /// Generation 2's vector step c + a·b (`cnumerics_fma8`) must be eight exactly rounded fused multiply-adds,
    /// the scalar tails' `Float.addingProduct` lane by lane: a product rounded before the sum, or any lane
    /// computed otherwise, differs in the last bit for some of these inputs.
    @Test("cnumerics_fma8 equals Float.addingProduct in every lane: rounding, signed zeros, subnormals, inf, NaN")
    func vectorFusedMultiplyAddIsLanewise() {
        var r = RNG(seed: 7)
        var values: [Float] = (0..<4000).map { _ in Float(r.normal()) * Float(pow(2.0, Double(r.int(below: 40)) - 20)) }
        values += [0, -0, 1, -1, .ulpOfOne, 1 + .ulpOfOne, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                   .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .nan]
        var mismatches = 0, first = ""
        for i in stride(from: 0, to: values.count - 24, by: 5) {
            let c = SIMD8(values[i..<(i + 8)]), a = SIMD8(values[(i + 8)..<(i + 16)]), b = SIMD8(values[(i + 16)..<(i + 24)])
            let v = cnumerics_fma8(c, a, b)
            for k in 0..<8 {
                let w = c[k].addingProduct(a[k], b[k])
                if w.isNaN ? !v[k].isNaN : v[k].bitPattern != w.bitPattern {
                    mismatches += 1
                    if first.isEmpty { first = "\(c[k]) + \(a[k])·\(b[k]): \(v[k]) vs \(w)" }
                }
            }
        }
        // (1 + jε)(1 − jε) = 1 − j²ε² rounds to 1: a rounded product gives −1 + 1 = 0, the fused one −j²ε².
        let rounded = (0..<8).contains { k in
            let c: Float = -1, a = Float(1) + Float(k + 1) * .ulpOfOne, b = Float(1) - Float(k + 1) * .ulpOfOne
            return cnumerics_fma8(SIMD8(repeating: c), SIMD8(repeating: a), SIMD8(repeating: b))[k] == c + a * b
        }
        #expect(mismatches == 0, "first lane that differs: \(first)")
        #expect(!rounded, "a lane rounded the product before the sum")
    }

    /// The training forward keeps GELU's slope in place of its input; the backward multiplies by it. Both
    /// must give the bits of the plain forward and of the backward that recomputes the slope.
    @Test("GELU forward keeping the slope: the forward's bits, and the slope's product equals backwardInPlace", arguments: KernelGeneration.allCases)
    func geluSlopeKept(_ g: KernelGeneration) {
        var xs: [Float] = stride(from: -11, through: 11, by: 0.0109).map { Float($0) }
        xs += [0, -0, 1e-8, -1e-8, .leastNonzeroMagnitude, 40, -40, 200, -200]
        let d: [Float] = xs.indices.map { Float(($0 * 37) % 11) - 5 + 0.25 }
        var plain = [Float](repeating: 0, count: xs.count), kept = plain, slope = xs
        GELU.forward(out: &plain, inp: xs, N: xs.count, kernels: g)
        GELU.forward(out: &kept, replacingInputBySlope: &slope, N: xs.count, kernels: g)
        var want = d, got = d
        GELU.backwardInPlace(grad: &want, inp: xs, N: xs.count, kernels: g)
        GELU.backwardInPlace(grad: &got, slope: slope, N: xs.count)
        let outDiff = xs.indices.first { plain[$0].bitPattern != kept[$0].bitPattern }
        let gradDiff = xs.indices.first { want[$0].bitPattern != got[$0].bitPattern }
        #expect(outDiff == nil, "generation \(g): forward differs at x = \(outDiff.map { xs[$0] } ?? 0)")
        #expect(gradDiff == nil, "generation \(g): backward differs at x = \(gradDiff.map { xs[$0] } ?? 0)")
        #expect(slope != xs, "the input was not replaced by the slope")
    }

    @Test("GELU.backwardInPlace equals backward into a zero buffer exactly", arguments: KernelGeneration.allCases)
    func geluInPlace(_ g: KernelGeneration) {
        let xs: [Float] = stride(from: -9, through: 9, by: 0.0173).map { Float($0) }
        let d: [Float] = xs.indices.map { Float(($0 * 37) % 11) - 5 }
        var a = [Float](repeating: 0, count: xs.count), b = d
        GELU.backward(dinp: &a, inp: xs, dout: d, N: xs.count, kernels: g)
        GELU.backwardInPlace(grad: &b, inp: xs, N: xs.count, kernels: g)
        let first = a.indices.first { a[$0] != b[$0] } // ±0 compare equal (0·x vs 0 + 0·x)
        #expect(first == nil, "generation \(g): first difference at x = \(first.map { xs[$0] } ?? 0)")
    }
}
