/// Vectorised elementary functions for the kernels' hot loops (libm's scalar tanhf/expf calls cost more
/// than the GEMMs around them at these sizes).
public enum FastMath {
    /// eˣ for 8 lanes: Cody-Waite range reduction x = n·ln2 + r, |r| ≤ ln2/2, Cephes' degree-6
    /// polynomial for eʳ, scaled by 2ⁿ through the exponent bits. Relative error ≤ 2 ulp on
    /// [−87.3, 88.3]; inputs are clamped to that range (so results are finite and never subnormal).
    @inline(__always)
    public static func exp(_ v: SIMD8<Float>) -> SIMD8<Float> {
        let lo = SIMD8<Float>(repeating: -87.3), hi = SIMD8<Float>(repeating: 88.3)
        var x = v.replacing(with: lo, where: v .< lo)
        x.replace(with: hi, where: x .> hi)
        let n = (x * 1.44269504088896341).rounded(.toNearestOrEven)
        let r = x - n * 0.693359375 + n * 2.12194440e-4
        var p = SIMD8<Float>(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let y = p * r * r + r + 1
        let bits = (SIMD8<Int32>(n, rounding: .towardZero) &+ 127) &<< 23
        return y * unsafeBitCast(bits, to: SIMD8<Float>.self)
    }

    /// Scalar eˣ with exactly the lanes' arithmetic (so a value's result never depends on its position).
    @inline(__always)
    public static func exp(_ x: Float) -> Float { exp(SIMD8<Float>(repeating: x))[0] }

    /// Loads up to 8 floats (missing lanes 0).
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ count: Int) -> SIMD8<Float> {
        if count >= 8 { return UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
        var v = SIMD8<Float>(repeating: 0)
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    /// Stores the first `count` (≤ 8) lanes.
    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        if count >= 8 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self); return }
        for i in 0..<count { p[i] = v[i] }
    }
}
