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
    @Test(arguments: sameBitsShapes) func attentionBackwardWritesWhatZeroFillAndAddGave(_ s: Shape) {
        var d = TestData("samebits.attention", UInt64(s.C * 100 + s.T))
        let (B, T, C, NH) = (s.B, s.T, s.C, s.NH)
        let qkv = d.floats(s.N * 3 * C), dout = d.floats(s.N * C)
        var out = [Float](repeating: .nan, count: s.N * C), att = [Float](repeating: .nan, count: B * NH * T * T)
        Attention.forward(out: &out, att: &att, qkv: qkv, B: B, T: T, C: C, NH: NH)
        var new = [Float](repeating: .nan, count: s.N * 3 * C), old = d.floats(s.N * 3 * C)
        var scratch = [Float](repeating: .nan, count: T * T)
        Attention.backward(dqkv: &new, scratch: &scratch, dout: dout, qkv: qkv, att: att, B: B, T: T, C: C, NH: NH)
        Baseline.attentionBackward(dqkv: &old, scratch: &scratch, dout: dout, qkv: qkv, att: att, B: B, T: T, C: C, NH: NH)
        expectSameBits(new, old, "attention dqkv \(s)")
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
