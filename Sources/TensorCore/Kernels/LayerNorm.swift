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
            var m: Float = 0
            for i in 0..<C { m += x[i] }
            m /= Float(C)
            var v: Float = 0
            for i in 0..<C { let d = x[i] - m; v += d * d }
            v /= Float(C)
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
            var dnormMean: Float = 0, dnormXhatMean: Float = 0
            for i in 0..<C {
                let xhat = (x[i] - m) * s
                let dnorm = weight[i] * d[i]
                dnormMean += dnorm
                dnormXhatMean += dnorm * xhat
            }
            dnormMean /= Float(C)
            dnormXhatMean /= Float(C)
            for i in 0..<C {
                let xhat = (x[i] - m) * s
                if let dbias { dbias[i] += d[i] }
                if let dweight { dweight[i] += xhat * d[i] }
                dx[i] += (weight[i] * d[i] - dnormMean - xhat * dnormXhatMean) * s
            }
        }
    }
}
