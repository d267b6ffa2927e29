/// GELU, tanh approximation as in GPT-2: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
/// Computed through the identity 0.5·(1 + tanh(u)) = σ(2u) = 1 / (1 + e^(−2u)), which is exact and keeps
/// full relative accuracy where the output is tiny (x ≪ 0); e^(−2u) from `FastMath.exp` (vectorisable).
public enum GELU {
    static let scale: Float = (2 / Float.pi).squareRoot()

    /// out, inp (N).
    public static func forward(out: FloatPointer, inp: ConstFloatPointer, N: Int) {
        for i in 0..<N {
            let x = inp[i]
            let u = scale * (x + 0.044715 * x * x * x)
            out[i] = x / (1 + FastMath.exp(-2 * u))
        }
    }

    /// dinp (N) += dout · d/dx gelu(x), with d/dx [x·σ(2u)] = σ + 2·x·σ·(1 − σ)·√(2/π)·(1 + 3·0.044715·x²)
    /// and 1 − σ = e^(−2u)·σ (no cancellation where σ ≈ 1).
    public static func backward(dinp: FloatPointer, inp: ConstFloatPointer, dout: ConstFloatPointer, N: Int) {
        for i in 0..<N {
            let x = inp[i]
            let u = scale * (x + 0.044715 * x * x * x)
            let e = FastMath.exp(-2 * u)
            let s = 1 / (1 + e)
            let du = scale * (1 + 0.134145 * x * x) // du/dx, 0.134145 = 3·0.044715
            dinp[i] += (s + 2 * x * s * (e * s) * du) * dout[i]
        }
    }

    /// grad (N) ·= d/dx gelu(x) in place (dout → dinp without a separate zeroed buffer); inp (N).
    public static func backwardInPlace(grad: FloatPointer, inp: ConstFloatPointer, N: Int) {
        for i in 0..<N {
            let x = inp[i]
            let u = scale * (x + 0.044715 * x * x * x)
            let e = FastMath.exp(-2 * u)
            let s = 1 / (1 + e)
            let du = scale * (1 + 0.134145 * x * x)
            grad[i] *= s + 2 * x * s * (e * s) * du
        }
    }
}
