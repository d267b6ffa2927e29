import Foundation

/// Causal multi-head self-attention on a fused QKV buffer, as per-(b,h) GEMMs on strided views
/// (no copies): scores = Q·Kᵀ/√hs, causal softmax, out = P·V.
public enum Attention {
    /// out (B,T,C); att (B,NH,T,T) saved softmax probabilities (zero above the diagonal);
    /// qkv (B,T,3C) with Q at [0,C), K at [C,2C), V at [2C,3C), head h at offset h·hs.
    public static func forward(out: FloatPointer, att: FloatPointer, qkv: ConstFloatPointer,
                               B: Int, T: Int, C: Int, NH: Int) {
        let hs = C / NH
        let scale = 1 / Float(hs).squareRoot()
        let blocks = causalBlocks(T)
        for b in 0..<B {
            for h in 0..<NH {
                let q = qkv + b * T * 3 * C + h * hs
                let k = q + C, v = q + 2 * C
                let p = att + (b * NH + h) * T * T
                // Row block [r0, r1) only needs key columns [0, r1): the masked upper triangle is skipped.
                for (r0, r1) in blocks {
                    BLAS.gemm(.none, .transpose, m: r1 - r0, n: r1, k: hs, alpha: scale, a: q + r0 * 3 * C, lda: 3 * C,
                              b: k, ldb: 3 * C, c: p + r0 * T, ldc: T)
                }
                causalSoftmaxRows(p, T: T)
                for (r0, r1) in blocks {
                    BLAS.gemm(.none, .none, m: r1 - r0, n: hs, k: r1, a: p + r0 * T, lda: T, b: v, ldb: 3 * C,
                              c: out + (b * T + r0) * C + h * hs, ldc: C)
                }
            }
        }
    }

    /// Query-row blocks [r0, r1) of at most 64 rows (one block when T ≤ 64).
    @inline(__always)
    static func causalBlocks(_ T: Int) -> [(Int, Int)] {
        let block = 64
        return stride(from: 0, to: T, by: block).map { ($0, min(T, $0 + block)) }
    }

    /// In place: row i of the (T,T) score matrix becomes softmax over j ≤ i, zeros for j > i.
    @inline(__always)
    static func causalSoftmaxRows(_ p: FloatPointer, T: Int) {
        for i in 0..<T {
            let row = p + i * T
            let n = i + 1
            let m = FastMath.max(row, n)
            for j in 0..<n { row[j] = FastMath.exp(row[j] - m) }
            let inv = 1 / FastMath.sum(row, n)
            for j in 0..<n { row[j] *= inv }
            (row + i + 1).update(repeating: 0, count: T - i - 1)
        }
    }

    /// dqkv (B,T,3C) += ; scratch (T,T) workspace; dout (B,T,C); qkv (B,T,3C); att (B,NH,T,T) from forward.
    /// dP = dout·Vᵀ;  dV += Pᵀ·dout;  dS = P ⊙ (dP − rowsum(P ⊙ dP)) / √hs;  dQ += dS·K;  dK += dSᵀ·Q.
    public static func backward(dqkv: FloatPointer, scratch: FloatPointer, dout: ConstFloatPointer,
                                qkv: ConstFloatPointer, att: ConstFloatPointer,
                                B: Int, T: Int, C: Int, NH: Int) {
        let hs = C / NH
        let scale = 1 / Float(hs).squareRoot()
        let blocks = causalBlocks(T)
        for b in 0..<B {
            for h in 0..<NH {
                let offset = b * T * 3 * C + h * hs
                let q = qkv + offset, k = q + C, v = q + 2 * C
                let dq = dqkv + offset, dk = dq + C, dv = dq + 2 * C
                let p = att + (b * NH + h) * T * T
                let d = dout + b * T * C + h * hs
                for (r0, r1) in blocks {
                    // dP[r0..<r1, 0..<r1] = dout·Vᵀ;  dV[0..<r1] += P[r0..<r1, 0..<r1]ᵀ·dout[r0..<r1]
                    BLAS.gemm(.none, .transpose, m: r1 - r0, n: r1, k: hs, a: d + r0 * C, lda: C, b: v, ldb: 3 * C,
                              c: scratch + r0 * T, ldc: T)
                    BLAS.gemm(.transpose, .none, m: r1, n: hs, k: r1 - r0, a: p + r0 * T, lda: T, b: d + r0 * C, ldb: C,
                              beta: 1, c: dv, ldc: 3 * C)
                }
                for i in 0..<T {
                    let pr = p + i * T, dr = scratch + i * T
                    let n = i + 1
                    let dot = FastMath.dot(pr, dr, n)
                    for j in 0..<n { dr[j] = pr[j] * (dr[j] - dot) * scale }
                    (dr + i + 1).update(repeating: 0, count: T - i - 1)
                }
                for (r0, r1) in blocks {
                    // dQ[r0..<r1] += dS·K[0..<r1];  dK[0..<r1] += dSᵀ·Q[r0..<r1]
                    BLAS.gemm(.none, .none, m: r1 - r0, n: hs, k: r1, a: scratch + r0 * T, lda: T, b: k, ldb: 3 * C,
                              beta: 1, c: dq + r0 * 3 * C, ldc: 3 * C)
                    BLAS.gemm(.transpose, .none, m: r1, n: hs, k: r1 - r0, a: scratch + r0 * T, lda: T, b: q + r0 * 3 * C,
                              ldb: 3 * C, beta: 1, c: dk, ldc: 3 * C)
                }
            }
        }
    }
}
