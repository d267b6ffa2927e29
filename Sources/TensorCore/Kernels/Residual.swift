/// Residual connection: out = a + b.
public enum Residual {
    /// out, a, b (N).
    public static func forward(out: FloatPointer, a: ConstFloatPointer, b: ConstFloatPointer, N: Int) {
        for i in 0..<N { out[i] = a[i] + b[i] }
    }

    /// da, db (N) += dout.
    public static func backward(da: FloatPointer, db: FloatPointer, dout: ConstFloatPointer, N: Int) {
        for i in 0..<N { da[i] += dout[i]; db[i] += dout[i] }
    }
}
