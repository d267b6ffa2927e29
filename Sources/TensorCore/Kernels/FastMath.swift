/// Branch-free elementary functions for the kernels' hot loops: written as plain scalar code so that
/// LLVM's loop vectoriser turns a loop calling them into SIMD code (libm's tanhf/expf are opaque calls
/// that cost more than the GEMMs around them at these sizes).
public enum FastMath {
    /// eˣ: Cody-Waite range reduction x = n·ln2 + r, |r| ≤ ln2/2, Cephes' degree-6 polynomial for eʳ,
    /// scaled by 2ⁿ through the exponent bits. Relative error ≤ 2 ulp on [−87.3, 88.3]; inputs are
    /// clamped to that range, so results are finite and never subnormal.
    @inline(__always)
    public static func exp(_ v: Float) -> Float {
        var x = v < -87.3 ? -87.3 : v
        x = x > 88.3 ? 88.3 : x
        // n = round-to-nearest(x·log2 e) by the 1.5·2²³ trick: t's low mantissa bits hold n.
        let t = x * 1.44269504088896341 + 12582912
        let n = t - 12582912
        let r = x - n * 0.693359375 + n * 2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let y = p * r * r + r + 1
        return y * Float(bitPattern: (t.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
    }
}
