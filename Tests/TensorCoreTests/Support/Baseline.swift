import TensorCore

/// The formulations that the speed rewrites of issue 11 replaced, kept as test oracles: each rewrite
/// must give the same bits as the code it replaced (`SameBitsTests`), so that committed study results
/// still reproduce byte for byte.
enum Baseline {
    /// Attention backward as it was: dqkv zero-filled by the caller, then every sum added into it.
    /// dqkv (B,T,3C) overwritten here (zero fill included); the other arguments as `Attention.backward`.
    static func attentionBackward(dqkv: FloatPointer, scratch: FloatPointer, dout: ConstFloatPointer,
                                  qkv: ConstFloatPointer, att: ConstFloatPointer, B: Int, T: Int, C: Int, NH: Int,
                                  kernels g: KernelGeneration) {
        dqkv.update(repeating: 0, count: B * T * 3 * C)
        let hs = C / NH
        let scale = 1 / Float(hs).squareRoot()
        let buf = FloatPointer.allocate(capacity: 4 * hs * T)
        defer { buf.deallocate() }
        let vt = buf, kp = vt + hs * T, qp = kp + hs * T, dp = qp + hs * T
        for b in 0..<B {
            for h in 0..<NH {
                let offset = b * T * 3 * C + h * hs
                let q = qkv + offset, k = q + C, v = q + 2 * C
                let dq = dqkv + offset, dk = dq + C, dv = dq + 2 * C
                let p = att + (b * NH + h) * T * T
                let d = dout + b * T * C + h * hs
                AttentionTiles.transpose(dst: vt, ldd: T, src: v, lds: 3 * C, n: T, hs: hs)
                AttentionTiles.causalScores(out: scratch, ldo: T, a: d, lda: C, bt: vt, ldb: T, r0: 0, r1: T,
                                            cols: T, hs: hs, scale: 1, kernels: g)
                for i in 0..<T {
                    let pr = p + i * T, dr = scratch + i * T
                    let n = i + 1
                    let dot = FastMath.dot(pr, dr, n)
                    var j = 0
                    while j + 8 <= n {
                        let v = (SIMD8<Float>(UnsafeBufferPointer(start: pr + j, count: 8))
                                 * (SIMD8<Float>(UnsafeBufferPointer(start: dr + j, count: 8)) - dot) * scale)
                        for l in 0..<8 { dr[j + l] = v[l] }
                        j += 8
                    }
                    while j < n { dr[j] = pr[j] * (dr[j] - dot) * scale; j += 1 }
                }
                AttentionTiles.pack(dst: dp, src: d, lds: C, n: T, hs: hs)
                AttentionTiles.pack(dst: kp, src: k, lds: 3 * C, n: T, hs: hs)
                AttentionTiles.pack(dst: qp, src: q, lds: 3 * C, n: T, hs: hs)
                AttentionTiles.causalTransposedWeightedSum(out: dv, ldo: 3 * C, s: p, lds: T, x: dp, ldx: hs, T: T, hs: hs,
                                                           accumulate: true, kernels: g)
                AttentionTiles.causalWeightedSum(out: dq, ldo: 3 * C, p: scratch, ldp: T, x: kp, ldx: hs,
                                                 r0: 0, r1: T, hs: hs, accumulate: true, kernels: g)
                AttentionTiles.causalTransposedWeightedSum(out: dk, ldo: 3 * C, s: scratch, lds: T, x: qp, ldx: hs,
                                                           T: T, hs: hs, accumulate: true, kernels: g)
            }
        }
    }
}

extension Baseline {
    /// The decoder's attention for one query row as it was: per head, keys transposed (channel c of
    /// position j at c·cap + j), `scoreRow`, `softmax`, `weightedRow`. q (NH·hs); keys, values: per
    /// head h a (hs·cap) block at h·hs·cap (values position-major). Returns probabilities (NH, n) and
    /// outputs (NH·hs).
    static func decoderAttention(q: [Float], keysTransposed: [Float], values: [Float], cap: Int, NH: Int, hs: Int,
                                 n: Int, kernels g: KernelGeneration) -> (probs: [Float], out: [Float]) {
        let scale = 1 / Float(hs).squareRoot()
        var probs: [Float] = [], out = [Float](repeating: .nan, count: NH * hs)
        for h in 0..<NH {
            var row = [Float](repeating: 0, count: cap)
            q.withUnsafeBufferPointer { qb in
                keysTransposed.withUnsafeBufferPointer { kb in
                    AttentionTiles.scoreRow(out: &row, q: qb.baseAddress! + h * hs, bt: kb.baseAddress! + h * hs * cap, ldb: cap,
                                            n: n, cols: cap, hs: hs, scale: scale, kernels: g)
                }
            }
            AttentionTiles.softmax(&row, n, limit: cap, kernels: g)
            out.withUnsafeMutableBufferPointer { ob in
                values.withUnsafeBufferPointer { vb in
                    AttentionTiles.weightedRow(out: ob.baseAddress! + h * hs, p: row, n: n, x: vb.baseAddress! + h * hs * cap,
                                               ldx: hs, hs: hs, accumulate: false, kernels: g)
                }
            }
            probs += row[0..<n]
        }
        return (probs, out)
    }
}
