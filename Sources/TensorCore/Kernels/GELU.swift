/// GELU, tanh approximation as in GPT-2: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
/// Computed through the identity 0.5·(1 + tanh(u)) = σ(2u) = 1 / (1 + e^(−2u)), which is exact and keeps
/// full relative accuracy where the output is tiny (x ≪ 0); e^(−2u) comes from `FastMath.exp` (8 lanes).
public enum GELU {
    static let scale: Float = (2 / Float.pi).squareRoot()

    /// out, inp (N).
    public static func forward(out: FloatPointer, inp: ConstFloatPointer, N: Int) {
        var i = 0
        while i < N {
            let n = min(8, N - i)
            let x = FastMath.load(inp + i, n)
            let x3: SIMD8<Float> = x * x * x
            let u: SIMD8<Float> = scale * (x + 0.044715 * x3)
            let s: SIMD8<Float> = 1 / (1 + FastMath.exp(-2 * u))
            FastMath.store(x * s, out + i, n)
            i += 8
        }
    }

    /// dinp (N) += dout · d/dx gelu(x), with d/dx [x·σ(2u)] = σ + 2·x·σ·(1 − σ)·√(2/π)·(1 + 3·0.044715·x²).
    public static func backward(dinp: FloatPointer, inp: ConstFloatPointer, dout: ConstFloatPointer, N: Int) {
        var i = 0
        while i < N {
            let n = min(8, N - i)
            let x = FastMath.load(inp + i, n)
            let x3: SIMD8<Float> = x * x * x
            let u: SIMD8<Float> = scale * (x + 0.044715 * x3)
            let e: SIMD8<Float> = FastMath.exp(-2 * u)
            let s: SIMD8<Float> = 1 / (1 + e)
            let x2: SIMD8<Float> = x * x
            let du: SIMD8<Float> = scale * (1 + 0.134145 * x2) // du/dx, 0.134145 = 3·0.044715
            let ds: SIMD8<Float> = 2 * s * (e * s) // dσ(2u)/du = 2σ(1 − σ), with 1 − σ = e·σ (no cancellation)
            let local: SIMD8<Float> = s + x * ds * du
            let d = FastMath.load(dout + i, n), g = FastMath.load(dinp + i, n)
            FastMath.store(g + local * d, dinp + i, n)
            i += 8
        }
    }
}
