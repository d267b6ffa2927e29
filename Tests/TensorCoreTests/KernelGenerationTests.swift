import Foundation
import Testing
import TensorCore

/// The arithmetic contract of each kernel generation: every sum of products of the attention tiles is a
/// chain in ascending index order starting from 0, each step s + a·b rounded twice (generation 1) or one
/// exactly rounded fused multiply-add (generation 2), checked bitwise against that chain written out as
/// scalar code; generation 1's exp and GELU are the formulas as written before generations existed
/// (the committed results' arithmetic), generation 2's fuse. Run in a portable build too, this also
/// checks that its libm fmaf gives the native build's bits.
@Suite("Kernel generations: arithmetic contracts")
struct KernelGenerationTests {
    /// a = 1 + 2⁻¹²: a·a − 1 = 2⁻¹¹ + 2⁻²⁴ exactly, but the product alone rounds to 1 + 2⁻¹¹, so a
    /// separate multiply and add give 2⁻¹¹; only a fused multiply-add gives the exact value.
    static let a: Float = 1 + 0x1p-12
    static let fused: Float = 0x1p-11 + 0x1p-24, separate: Float = 0x1p-11

    static func step(_ g: KernelGeneration, _ s: Float, _ a: Float, _ b: Float) -> Float {
        g.arithmetic == .separate ? s + a * b : s.addingProduct(a, b)
    }

    @Test("BRIDGE_KERNELS: unset or empty is the build's default (the latest in a native build, 1 in a portable one), latest the latest, a generation number its own, anything else an error naming the fix")
    func parse() throws {
        #expect(try KernelGeneration.parse(nil) == KernelGeneration.buildDefault)
        #expect(try KernelGeneration.parse("") == KernelGeneration.buildDefault)
        #expect(KernelGeneration.buildDefault == (NumericsProvenance.codeGeneration.hasPrefix("portable") ? .v1 : .latest))
        #expect(try KernelGeneration.parse("latest") == .latest)
        #expect(try KernelGeneration.parse("1") == .v1)
        #expect(try KernelGeneration.parse(" 2 ") == .v2)
        #expect(try KernelGeneration.parse("3") == .v3)
        #expect(KernelGeneration.latest == KernelGeneration.allCases.last)
        // Each generation describes itself (doctor and provenance print the summary).
        #expect(Set(KernelGeneration.allCases.map(\.summary)).count == KernelGeneration.allCases.count)
        for bad in ["4", "0", "v2", "fma"] {
            #expect { try KernelGeneration.parse(bad) } throws: { "\($0)".contains("BRIDGE_KERNELS=\(bad) is not a kernel generation") && "\($0)".contains("1, 2, 3 or latest") }
        }
    }

    @Test("addingProduct is fused, scalar and on 8 lanes (what generation 2 relies on)")
    func addingProductIsFused() {
        let a = Self.a
        #expect(Float(-1).addingProduct(a, a) == Self.fused)
        #expect(a * a - 1 == Self.separate)
        #expect(SIMD8<Float>(repeating: -1).addingProduct(SIMD8(repeating: a), SIMD8(repeating: a)) == SIMD8(repeating: Self.fused))
    }

    /// Every SIMD path and scalar tail of the score and weighted-row kernels, on inputs whose first term
    /// is −1 and second a·a: each element is the generation's value (scale 1).
    @Test(arguments: KernelGeneration.allCases)
    func kernelsGiveTheGenerationsValue(_ g: KernelGeneration) {
        let a = Self.a, n = 35, want = g == .v1 ? Self.separate : Self.fused
        let q: [Float] = [1, a], bt = [Float](repeating: -1, count: n) + [Float](repeating: a, count: n)
        var scores = [Float](repeating: .nan, count: n)
        AttentionTiles.scoreRow(out: &scores, q: q, bt: bt, ldb: n, n: n, cols: n, hs: 2, scale: 1, kernels: g)
        #expect(scores.allSatisfy { $0 == want }, "scoreRow \(scores)")
        let hs = 43, p: [Float] = [1, a], x = [Float](repeating: -1, count: hs) + [Float](repeating: a, count: hs)
        var out = [Float](repeating: .nan, count: hs)
        AttentionTiles.weightedRow(out: &out, p: p, n: 2, x: x, ldx: hs, hs: hs, accumulate: false, kernels: g)
        #expect(out.allSatisfy { $0 == want }, "weightedRow \(out)")
    }

    /// causalScores, causalWeightedSum and causalTransposedWeightedSum on random inputs equal the scalar
    /// chain bit for bit (head sizes with 16-, 8-channel and scalar tails; T not a multiple of 4 or 16).
    @Test(arguments: KernelGeneration.allCases, [(7, 4), (21, 16), (38, 20), (67, 48), (40, 8)])
    func tilesEqualTheScalarChain(_ g: KernelGeneration, _ shape: (Int, Int)) {
        let (T, hs) = shape
        var d = TestData("kernels.contract", UInt64(T * 100 + hs))
        let q = d.floats(T * hs), k = d.floats(T * hs), w = d.floats(T * T), x = d.floats(T * hs)
        let scale: Float = 0.37
        var kt = [Float](repeating: 0, count: hs * T)
        for j in 0..<T { for c in 0..<hs { kt[c * T + j] = k[j * hs + c] } }
        var scores = [Float](repeating: .nan, count: T * T)
        AttentionTiles.causalScores(out: &scores, ldo: T, a: q, lda: hs, bt: kt, ldb: T, r0: 0, r1: T, cols: T, hs: hs,
                                    scale: scale, kernels: g)
        var rows = [Float](repeating: .nan, count: T * hs), cols = [Float](repeating: .nan, count: T * hs)
        AttentionTiles.causalWeightedSum(out: &rows, ldo: hs, p: w, ldp: T, x: x, ldx: hs, r0: 0, r1: T, hs: hs,
                                         accumulate: false, kernels: g)
        AttentionTiles.causalTransposedWeightedSum(out: &cols, ldo: hs, s: w, lds: T, x: x, ldx: hs, T: T, hs: hs,
                                                   accumulate: false, kernels: g)
        var wantScores = [Float](), gotScores = [Float](), wantRows = [Float](), wantCols = [Float]()
        for i in 0..<T {
            for j in 0...i {
                var s: Float = 0
                for c in 0..<hs { s = Self.step(g, s, q[i * hs + c], k[j * hs + c]) }
                wantScores.append(s * scale); gotScores.append(scores[i * T + j])
            }
            for c in 0..<hs {
                var r: Float = 0
                for j in 0...i { r = Self.step(g, r, w[i * T + j], x[j * hs + c]) }
                wantRows.append(r)
            }
        }
        for j in 0..<T {
            for c in 0..<hs {
                var r: Float = 0
                for i in j..<T { r = Self.step(g, r, w[i * T + j], x[i * hs + c]) }
                wantCols.append(r)
            }
        }
        expectSameBits(gotScores, wantScores, "generation \(g) causalScores T \(T) hs \(hs)")
        expectSameBits(rows, wantRows, "generation \(g) causalWeightedSum T \(T) hs \(hs)")
        expectSameBits(cols, wantCols, "generation \(g) causalTransposedWeightedSum T \(T) hs \(hs)")
    }

    static let inputs: [Float] = stride(from: Float(-90), through: 90, by: 0.0137).map { $0 } + [0, -0.0, 1e-30, -1e-30]

    /// exp as generation 1 computes it, written exactly as before kernel generations existed.
    static func expAsWritten(_ v: Float) -> Float {
        var x = v < -87.3 ? -87.3 : v
        x = x > 88.3 ? 88.3 : x
        let t = x * 1.44269504088896341 + 12582912
        let n = t - 12582912
        let r = x - n * 0.693359375 + n * 2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let y = p * r * r + r + 1
        return y * Float(bitPattern: (t.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
    }

    @Test("generation 1's exp and GELU are the formulas as written before generations existed, bit for bit; generation 2's differ somewhere")
    func generationOneIsTheEarlierArithmetic() {
        let xs = Self.inputs
        expectSameBits(xs.map { FastMath.exp($0, kernels: .v1) }, xs.map(Self.expAsWritten), "exp generation 1")
        let s = (2 / Float.pi).squareRoot()
        let gelu = xs.map { x -> Float in x / (1 + Self.expAsWritten(-2 * (s * (x + 0.044715 * x * x * x)))) }
        let dgelu = xs.map { x -> Float in
            let e = Self.expAsWritten(-2 * (s * (x + 0.044715 * x * x * x)))
            let sg = 1 / (1 + e)
            return (sg + 2 * x * sg * (e * sg) * (s * (1 + 0.134145 * x * x))) * 1.5
        }
        var out = [Float](repeating: .nan, count: xs.count), grad = [Float](repeating: 0, count: xs.count)
        let dout = [Float](repeating: 1.5, count: xs.count)
        GELU.forward(out: &out, inp: xs, N: xs.count, kernels: .v1)
        GELU.backward(dinp: &grad, inp: xs, dout: dout, N: xs.count, kernels: .v1)
        expectSameBits(out, gelu, "GELU forward generation 1")
        expectSameBits(grad, dgelu, "GELU backward generation 1")
        #expect(xs.contains { FastMath.exp($0, kernels: .v2) != FastMath.exp($0, kernels: .v1) })
        GELU.forward(out: &out, inp: xs, N: xs.count, kernels: .v2)
        #expect(zip(out, gelu).contains { $0.bitPattern != $1.bitPattern })
    }
}
