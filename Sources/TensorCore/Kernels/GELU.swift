import Foundation

/// GELU, tanh approximation as in GPT-2: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
public enum GELU {
    static let scale: Float = (2 / Float.pi).squareRoot()

    /// out, inp (N).
    public static func forward(out: FloatPointer, inp: ConstFloatPointer, N: Int) {
        for i in 0..<N {
            let x = inp[i]
            let cube = 0.044715 * x * x * x
            out[i] = 0.5 * x * (1 + tanhf(scale * (x + cube)))
        }
    }

    /// dinp (N) += dout · d/dx gelu(x).
    public static func backward(dinp: FloatPointer, inp: ConstFloatPointer, dout: ConstFloatPointer, N: Int) {
        for i in 0..<N {
            let x = inp[i]
            let u = scale * (x + 0.044715 * x * x * x)
            let th = tanhf(u)
            let sech2 = 1 - th * th
            let local = 0.5 * (1 + th) + 0.5 * x * sech2 * scale * (1 + 3 * 0.044715 * x * x)
            dinp[i] += local * dout[i]
        }
    }
}
