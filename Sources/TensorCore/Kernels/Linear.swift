/// Linear layer: out = inp · weightᵀ + bias, weight stored (OC, C) as in llm.c.
public enum Linear {
    /// out (N,OC) = inp (N,C) · weight (OC,C)ᵀ + bias (OC). One GEMM over all N rows.
    /// `accumulate` adds to out instead of overwriting (used by LoRA's low-rank path).
    public static func forward(out: FloatPointer, inp: ConstFloatPointer, weight: ConstFloatPointer,
                               bias: ConstFloatPointer?, N: Int, C: Int, OC: Int,
                               alpha: Float = 1, accumulate: Bool = false) {
        if let bias, !accumulate {
            for n in 0..<N { (out + n * OC).update(from: bias, count: OC) }
            BLAS.gemm(.none, .transpose, m: N, n: OC, k: C, alpha: alpha, a: inp, b: weight, beta: 1, c: out)
        } else {
            BLAS.gemm(.none, .transpose, m: N, n: OC, k: C, alpha: alpha, a: inp, b: weight,
                      beta: accumulate ? 1 : 0, c: out)
            if let bias, accumulate {
                for n in 0..<N { let o = out + n * OC; for j in 0..<OC { o[j] += bias[j] } }
            }
        }
    }

    /// Gradients of out = alpha · inp · weightᵀ + bias, accumulated; any may be nil (not needed/frozen).
    /// dinp (N,C) += alpha · dout (N,OC) · weight (OC,C)
    /// dweight (OC,C) += alpha · doutᵀ · inp
    /// dbias (OC) += Σ_n dout[n,:]
    public static func backward(dinp: FloatPointer?, dweight: FloatPointer?, dbias: FloatPointer?,
                                dout: ConstFloatPointer, inp: ConstFloatPointer, weight: ConstFloatPointer,
                                N: Int, C: Int, OC: Int, alpha: Float = 1) {
        if let dinp {
            BLAS.gemm(.none, .none, m: N, n: C, k: OC, alpha: alpha, a: dout, b: weight, beta: 1, c: dinp)
        }
        if let dweight {
            BLAS.gemm(.transpose, .none, m: OC, n: C, k: N, alpha: alpha, a: dout, b: inp, beta: 1, c: dweight)
        }
        if let dbias {
            for n in 0..<N { let d = dout + n * OC; for j in 0..<OC { dbias[j] += d[j] } }
        }
    }
}
