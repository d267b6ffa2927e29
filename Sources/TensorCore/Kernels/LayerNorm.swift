/// Layer normalisation over the last dimension: out = (x − mean) · rstd · weight + bias,
/// rstd = 1 / sqrt(var + 1e-5) (GPT-2's epsilon), biased variance.
public enum LayerNorm {
    public static let epsilon: Float = 1e-5

    /// out (N,C); mean, rstd (N) saved for backward; inp (N,C); weight, bias (C).
    public static func forward(out: FloatPointer, mean: FloatPointer, rstd: FloatPointer,
                               inp: ConstFloatPointer, weight: ConstFloatPointer, bias: ConstFloatPointer,
                               N: Int, C: Int) {
        for n in 0..<N {
            let x = inp + n * C
            let m = FastMath.sum(x, C) / Float(C)
            let v = FastMath.sumSquaredDeviations(x, mean: m, C) / Float(C)
            let s = 1 / (v + epsilon).squareRoot()
            let o = out + n * C
            for i in 0..<C { o[i] = (x[i] - m) * s * weight[i] + bias[i] }
            mean[n] = m
            rstd[n] = s
        }
    }

    /// dinp (N,C) += ; dweight, dbias (C) += (nil when frozen); dout, inp (N,C); weight (C); mean, rstd (N).
    /// With xhat = (x − mean)·rstd and dnorm = dout·weight:
    /// dx = rstd · (dnorm − mean(dnorm) − xhat · mean(dnorm · xhat)).
    public static func backward(dinp: FloatPointer, dweight: FloatPointer?, dbias: FloatPointer?,
                                dout: ConstFloatPointer, inp: ConstFloatPointer, weight: ConstFloatPointer,
                                mean: ConstFloatPointer, rstd: ConstFloatPointer, N: Int, C: Int) {
        for n in 0..<N {
            let x = inp + n * C, d = dout + n * C, dx = dinp + n * C
            let m = mean[n], s = rstd[n]
            // Σ dnorm and Σ dnorm·xhat with dnorm = weight·dout, xhat = (x − mean)·rstd (8 partial sums).
            var acc1 = SIMD8<Float>(repeating: 0), acc2 = SIMD8<Float>(repeating: 0)
            var i = 0
            while i + 8 <= C {
                let dn = FastMath.load8(weight + i) * FastMath.load8(d + i)
                acc1 += dn
                acc2 += dn * (FastMath.load8(x + i) - m) * s
                i += 8
            }
            var dnormSum = FastMath.hsum(acc1), dnormXhatSum = FastMath.hsum(acc2)
            while i < C { let dn = weight[i] * d[i]; dnormSum += dn; dnormXhatSum += dn * (x[i] - m) * s; i += 1 }
            let dnormMean = dnormSum / Float(C), dnormXhatMean = dnormXhatSum / Float(C)
            for i in 0..<C {
                let xhat = (x[i] - m) * s
                dx[i] += (weight[i] * d[i] - dnormMean - xhat * dnormXhatMean) * s
            }
            if let dbias { for i in 0..<C { dbias[i] += d[i] } }
            if let dweight { for i in 0..<C { dweight[i] += (x[i] - m) * s * d[i] } }
        }
    }
}
