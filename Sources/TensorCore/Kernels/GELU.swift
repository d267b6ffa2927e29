/// GELU, tanh approximation as in GPT-2: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
/// Computed through the identity 0.5·(1 + tanh(u)) = σ(2u) = 1 / (1 + e^(−2u)), which is exact and keeps
/// full relative accuracy where the output is tiny (x ≪ 0); e^(−2u) from `FastMath.exp` (vectorisable).
/// Every c + a·b is formed as the kernel generation forms it (`KernelGeneration`).
public enum GELU {
    static let scale: Float = (2 / Float.pi).squareRoot()

    /// out, inp (N).
    public static func forward(out: FloatPointer, inp: ConstFloatPointer, N: Int, kernels: KernelGeneration = .current) {
        switch kernels.arithmetic {
        case .separate: forward(out: out, inp: inp, N: N, SeparateProducts.self)
        case .fused: forward(out: out, inp: inp, N: N, FusedProducts.self)
        }
    }

    /// out (N) = gelu(x), and x (N) is replaced by the slope d/dx gelu(x): both from one exponential. The
    /// training forward keeps the slope in place of fc's output (which nothing else reads), so that the
    /// backward is one product per element (`backwardInPlace(grad:slope:N:)`) instead of a second
    /// exponential; the slope equals what `backward` computes, bit for bit. (In place through one pointer:
    /// with separate input and slope pointers that may be equal, LLVM's overlap check sends the loop to
    /// its scalar version.)
    public static func forward(out: FloatPointer, replacingInputBySlope x: FloatPointer, N: Int,
                               kernels: KernelGeneration = .current) {
        switch kernels.arithmetic {
        case .separate: forward(out: out, replacingInputBySlope: x, N: N, SeparateProducts.self)
        case .fused: forward(out: out, replacingInputBySlope: x, N: N, FusedProducts.self)
        }
    }

    /// grad (N) ·= slope (N), the slope kept by `forward(out:replacingInputBySlope:N:kernels:)`: the same bits
    /// as `backwardInPlace(grad:inp:N:kernels:)` on the forward's input, in any generation.
    public static func backwardInPlace(grad: FloatPointer, slope: ConstFloatPointer, N: Int) {
        for i in 0..<N { grad[i] *= slope[i] }
    }

    /// dinp (N) += dout · d/dx gelu(x), with d/dx [x·σ(2u)] = σ + 2·x·σ·(1 − σ)·√(2/π)·(1 + 3·0.044715·x²)
    /// and 1 − σ = e^(−2u)·σ (no cancellation where σ ≈ 1).
    public static func backward(dinp: FloatPointer, inp: ConstFloatPointer, dout: ConstFloatPointer, N: Int,
                                kernels: KernelGeneration = .current) {
        switch kernels.arithmetic {
        case .separate: backward(dinp: dinp, inp: inp, dout: dout, N: N, SeparateProducts.self)
        case .fused: backward(dinp: dinp, inp: inp, dout: dout, N: N, FusedProducts.self)
        }
    }

    /// grad (N) ·= d/dx gelu(x) in place (dout → dinp without a separate zeroed buffer); inp (N).
    public static func backwardInPlace(grad: FloatPointer, inp: ConstFloatPointer, N: Int, kernels: KernelGeneration = .current) {
        switch kernels.arithmetic {
        case .separate: backwardInPlace(grad: grad, inp: inp, N: N, SeparateProducts.self)
        case .fused: backwardInPlace(grad: grad, inp: inp, N: N, FusedProducts.self)
        }
    }

    /// u = √(2/π)·(x + 0.044715·x³) and du/dx = √(2/π)·(1 + 0.134145·x²) (0.134145 = 3·0.044715).
    @inline(__always) static func u<A: ProductSum>(_ x: Float, _: A.Type) -> Float { scale * A.madd(x, 0.044715 * x * x, x) }
    @inline(__always) static func du<A: ProductSum>(_ x: Float, _: A.Type) -> Float { scale * A.madd(1, 0.134145 * x, x) }
    /// e = e^(−2u): gelu(x) = x / (1 + e), and the slope's σ = 1 / (1 + e).
    @inline(__always) static func e<A: ProductSum>(_ x: Float, _ a: A.Type) -> Float { FastMath.exp(-2 * u(x, a), a) }

    static func forward<A: ProductSum>(out: FloatPointer, inp: ConstFloatPointer, N: Int, _ a: A.Type) {
        for i in 0..<N {
            let x = inp[i]
            out[i] = x / (1 + e(x, a))
        }
    }

    static func forward<A: ProductSum>(out: FloatPointer, replacingInputBySlope io: FloatPointer, N: Int, _ a: A.Type) {
        for i in 0..<N {
            let x = io[i], ex = e(x, a)
            out[i] = x / (1 + ex)
            io[i] = derivative(x, ex, a)
        }
    }

    /// d/dx gelu(x) = σ + 2·x·σ·(e·σ)·du/dx with e = e^(−2u), σ = 1 / (1 + e): one formula for every backward.
    @inline(__always) static func derivative<A: ProductSum>(_ x: Float, _ a: A.Type) -> Float {
        derivative(x, e(x, a), a)
    }

    /// The same, given e = e^(−2u) (the forward's exponential).
    @inline(__always) static func derivative<A: ProductSum>(_ x: Float, _ e: Float, _ a: A.Type) -> Float {
        let s = 1 / (1 + e)
        return A.madd(s, 2 * x * s * (e * s), du(x, a))
    }

    static func backward<A: ProductSum>(dinp: FloatPointer, inp: ConstFloatPointer, dout: ConstFloatPointer, N: Int, _ a: A.Type) {
        for i in 0..<N { dinp[i] += derivative(inp[i], a) * dout[i] }
    }

    static func backwardInPlace<A: ProductSum>(grad: FloatPointer, inp: ConstFloatPointer, N: Int, _ a: A.Type) {
        for i in 0..<N { grad[i] *= derivative(inp[i], a) }
    }
}
