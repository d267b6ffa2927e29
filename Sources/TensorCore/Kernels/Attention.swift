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
        for b in 0..<B {
            for h in 0..<NH {
                let q = qkv + b * T * 3 * C + h * hs
                let k = q + C, v = q + 2 * C
                let p = att + (b * NH + h) * T * T
                BLAS.gemm(.none, .transpose, m: T, n: T, k: hs, alpha: scale, a: q, lda: 3 * C, b: k, ldb: 3 * C, c: p, ldc: T)
                causalSoftmaxRows(p, T: T)
                BLAS.gemm(.none, .none, m: T, n: hs, k: T, a: p, lda: T, b: v, ldb: 3 * C,
                          c: out + b * T * C + h * hs, ldc: C)
            }
        }
    }

    /// In place: row i of the (T,T) score matrix becomes softmax over j ≤ i, zeros for j > i.
    @inline(__always)
    static func causalSoftmaxRows(_ p: FloatPointer, T: Int) {
        for i in 0..<T {
            let row = p + i * T
            let m = FastMath.max(row, i + 1)
            for j in 0...i { row[j] = FastMath.exp(row[j] - m) }
            let inv = 1 / FastMath.sum(row, i + 1)
            for j in 0...i { row[j] *= inv }
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
        for b in 0..<B {
            for h in 0..<NH {
                let offset = b * T * 3 * C + h * hs
                let q = qkv + offset, k = q + C, v = q + 2 * C
                let dq = dqkv + offset, dk = dq + C, dv = dq + 2 * C
                let p = att + (b * NH + h) * T * T
                let d = dout + b * T * C + h * hs
                BLAS.gemm(.none, .transpose, m: T, n: T, k: hs, a: d, lda: C, b: v, ldb: 3 * C, c: scratch, ldc: T)
                BLAS.gemm(.transpose, .none, m: T, n: hs, k: T, a: p, lda: T, b: d, ldb: C, beta: 1, c: dv, ldc: 3 * C)
                for i in 0..<T {
                    let pr = p + i * T, dr = scratch + i * T
                    let dot = FastMath.dot(pr, dr, i + 1)
                    for j in 0...i { dr[j] = pr[j] * (dr[j] - dot) * scale }
                    (dr + i + 1).update(repeating: 0, count: T - i - 1)
                }
                BLAS.gemm(.none, .none, m: T, n: hs, k: T, a: scratch, lda: T, b: k, ldb: 3 * C, beta: 1, c: dq, ldc: 3 * C)
                BLAS.gemm(.transpose, .none, m: T, n: hs, k: T, a: scratch, lda: T, b: q, ldb: 3 * C, beta: 1, c: dk, ldc: 3 * C)
            }
        }
    }
}
