import Testing
import TensorCore

/// `PackedLinear` (the KV-cache decoder's GEMM on weights packed once, kernel generation 2): each output
/// is bias + the fused multiply-add chain over k ascending from 0 (with `accumulate`, (out + chain) + bias),
/// bitwise, on every path (6-row and 4-row blocks, single rows, 16-wide panels and a partial last panel); and it
/// agrees with `Linear.forward` (OpenBLAS) to rounding. No rows writes nothing.
@Suite("PackedLinear")
struct PackedLinearTests {
    @Test(arguments: [(64, 64, 96), (7, 40, 24), (5, 33, 8), (1, 16, 16), (66, 128, 131), (0, 16, 32), (10, 24, 40), (3, 16, 16)])
    func equalsTheFusedChain(_ shape: (Int, Int, Int)) {
        let (N, C, OC) = shape
        var d = TestData("packed.linear", UInt64(N * 10_000 + C * 100 + OC))
        let x = d.floats(N * C), w = d.floats(OC * C), b = d.floats(OC), start = d.floats(N * OC)
        let packed = PackedLinear(weight: w, OC: OC, C: C)
        for (withBias, accumulate) in [(true, false), (false, false), (true, true), (false, true)] {
            var got = start
            packed.forward(out: &got, inp: x, bias: withBias ? b : nil, N: N, accumulate: accumulate)
            var want = [Float](), blas = start
            for n in 0..<N {
                for o in 0..<OC {
                    var s: Float = 0
                    for k in 0..<C { s = s.addingProduct(x[n * C + k], w[o * C + k]) }
                    var v = accumulate ? start[n * OC + o] + s : s
                    if withBias { v = v + b[o] }
                    want.append(v)
                }
            }
            expectSameBits(got, want, "N \(N) C \(C) OC \(OC) bias \(withBias) accumulate \(accumulate)")
            Linear.forward(out: &blas, inp: x, weight: w, bias: withBias ? b : nil, N: N, C: C, OC: OC, accumulate: accumulate)
            expectClose(got, blas.map(Double.init), atol: 1e-5, rtol: 1e-5, "vs Linear.forward \(shape)")
        }
    }

    @Test("LargeBuffer: buffers below and above 2 MiB hold what is written; large ones are 2 MiB aligned")
    func largeBuffer() {
        for count in [1, 1000, 1 << 19, (1 << 20) + 3] {
            let p = LargeBuffer.allocate(count)
            for i in stride(from: 0, to: count, by: 997) { p[i] = Float(i) }
            p[count - 1] = -1
            #expect(stride(from: 0, to: count - 1, by: 997).allSatisfy { p[$0] == Float($0) } && p[count - 1] == -1)
            if count * 4 >= 1 << 21 { #expect(Int(bitPattern: p) % (1 << 21) == 0) }
            LargeBuffer.deallocate(p)
        }
    }
}
