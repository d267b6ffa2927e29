import Testing
import TensorCore

/// Shapes for the bitwise comparisons: head sizes 4, 16, 20, 32, 48 (every SIMD path and scalar tail),
/// T not a multiple of the 4-row or 16-column tiles, B > 1.
let sameBitsShapes = [Shape(B: 2, T: 7, C: 12, NH: 3), Shape(B: 2, T: 21, C: 64, NH: 4), Shape(B: 1, T: 38, C: 40, NH: 2),
                      Shape(B: 2, T: 67, C: 96, NH: 2), Shape(B: 1, T: 130, C: 64, NH: 2)]

/// The speed rewrites give exactly the bits of the code they replaced (kept in `Baseline`): `==` on the
/// Float arrays (bit patterns, so that −0 and +0 differ), random inputs, several shapes.
@Suite("Speed rewrites keep every bit")
struct SameBitsTests {
    /// Attention backward writing dqkv equals zero-filling it and adding every sum into it.
    @Test(arguments: KernelGeneration.allCases, sameBitsShapes)
    func attentionBackwardWritesWhatZeroFillAndAddGave(_ g: KernelGeneration, _ s: Shape) {
        var d = TestData("samebits.attention", UInt64(s.C * 100 + s.T))
        let (B, T, C, NH) = (s.B, s.T, s.C, s.NH)
        let qkv = d.floats(s.N * 3 * C), dout = d.floats(s.N * C)
        var out = [Float](repeating: .nan, count: s.N * C), att = [Float](repeating: .nan, count: B * NH * T * T)
        Attention.forward(out: &out, att: &att, qkv: qkv, B: B, T: T, C: C, NH: NH, kernels: g)
        var new = [Float](repeating: .nan, count: s.N * 3 * C), old = d.floats(s.N * 3 * C)
        var scratch = [Float](repeating: .nan, count: T * T)
        Attention.backward(dqkv: &new, scratch: &scratch, dout: dout, qkv: qkv, att: att, B: B, T: T, C: C, NH: NH, kernels: g)
        Baseline.attentionBackward(dqkv: &old, scratch: &scratch, dout: dout, qkv: qkv, att: att, B: B, T: T, C: C, NH: NH,
                                   kernels: g)
        expectSameBits(new, old, "generation \(g): attention dqkv \(s)")
    }

    /// The decoder's multi-head kernels on the blocked key cache equal the per-head kernels on the
    /// transposed cache they replaced: every head count (4-head groups and the rest), head sizes with
    /// 16-, 8-channel and scalar tails, query lengths n with odd block counts and partial blocks, and
    /// stale finite values in the cache past n.
    @Test(arguments: KernelGeneration.allCases, [(1, 16), (2, 4), (3, 20), (4, 16), (4, 32), (5, 48), (8, 32), (8, 8)])
    func decoderAttentionOnBlockedKeysEqualsTransposed(_ g: KernelGeneration, _ shape: (Int, Int)) {
        let (heads, hs) = shape
        var d = TestData("samebits.decoder", UInt64(heads * 100 + hs))
        let cap = 70, stride = AttentionTiles.blockedKeyCount(positions: cap, hs: hs), ldo = (cap + 7) / 8 * 8
        let q = d.floats(heads * hs), k = d.floats(heads * cap * hs), v = d.floats(heads * cap * hs)
        var kt = [Float](repeating: 0, count: heads * hs * cap), vOld = [Float](repeating: 0, count: heads * hs * cap)
        var kb = [Float](repeating: 0, count: heads * stride), vNew = [Float](repeating: 0, count: heads * stride)
        for h in 0..<heads {
            for j in 0..<cap {
                for c in 0..<hs {
                    let x = k[(h * cap + j) * hs + c], y = v[(h * cap + j) * hs + c]
                    kt[h * hs * cap + c * cap + j] = x
                    kb[h * stride + AttentionTiles.blockedKeyOffset(position: j, channel: c, hs: hs)] = x
                    vOld[h * hs * cap + j * hs + c] = y
                    vNew[h * stride + j * hs + c] = y
                }
            }
        }
        for n in [1, 7, 8, 9, 16, 17, 24, 33, 41, 64, 70] {
            let old = Baseline.decoderAttention(q: q, keysTransposed: kt, values: vOld, cap: cap, NH: heads, hs: hs, n: n, kernels: g)
            var scores = [Float](repeating: .nan, count: heads * ldo), out = [Float](repeating: .nan, count: heads * hs)
            AttentionTiles.decodeRow(out: &out, scores: &scores, ldo: ldo, q: q, keys: kb, values: vNew, headStride: stride,
                                     heads: heads, n: n, hs: hs, scale: 1 / Float(hs).squareRoot(), kernels: g)
            let probs = (0..<heads).flatMap { scores[($0 * ldo)..<($0 * ldo + n)] }
            expectSameBits(probs, old.probs, "generation \(g): decoder probabilities heads \(heads) hs \(hs) n \(n)")
            expectSameBits(out, old.out, "generation \(g): decoder outputs heads \(heads) hs \(hs) n \(n)")
        }
    }
}

/// Records one issue naming the first element whose bit pattern differs (and how many do).
func expectSameBits(_ new: [Float], _ old: [Float], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard new.count == old.count else {
        Issue.record("\(what): \(new.count) elements, expected \(old.count)", sourceLocation: sourceLocation)
        return
    }
    let differ = (0..<new.count).filter { new[$0].bitPattern != old[$0].bitPattern }
    guard let first = differ.first else { return }
    Issue.record("\(what): \(differ.count) of \(new.count) elements differ; first at \(first): \(new[first]) vs \(old[first])",
                 sourceLocation: sourceLocation)
}
