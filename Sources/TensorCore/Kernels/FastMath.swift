/// Branch-free elementary functions for the kernels' hot loops: written as plain scalar code so that
/// LLVM's loop vectoriser turns a loop calling them into SIMD code (libm's tanhf/expf are opaque calls
/// that cost more than the GEMMs around them at these sizes).
public enum FastMath {
    /// eˣ: Cody-Waite range reduction x = n·ln2 + r, |r| ≤ ln2/2, Cephes' degree-6 polynomial for eʳ
    /// (Horner), scaled by 2ⁿ through the exponent bits. Relative error ≤ 2 ulp on [−87.3, 88.3]; inputs
    /// are clamped to that range, so results are finite and never subnormal. Every c + a·b is formed as
    /// the kernel generation forms it (`KernelGeneration`).
    public static func exp(_ v: Float, kernels: KernelGeneration = .current) -> Float {
        switch kernels.arithmetic {
        case .separate: exp(v, SeparateProducts.self)
        case .fused: exp(v, FusedProducts.self)
        }
    }

    /// `exp` on 8 lanes with exactly the scalar function's operations (each lane equals `exp` of it bit
    /// for bit). Loops the vectoriser would leave with up to 31 scalar remainder iterations (short
    /// softmax rows) call this directly.
    public static func exp8(_ v: SIMD8<Float>, kernels: KernelGeneration = .current) -> SIMD8<Float> {
        switch kernels.arithmetic {
        case .separate: exp8(v, SeparateProducts.self)
        case .fused: exp8(v, FusedProducts.self)
        }
    }

    @inline(__always)
    static func exp<A: ProductSum>(_ v: Float, _: A.Type) -> Float {
        var x = v < -87.3 ? -87.3 : v
        x = x > 88.3 ? 88.3 : x
        // n = round-to-nearest(x·log2 e) by the 1.5·2²³ trick: t's low mantissa bits hold n.
        let t = A.madd(12582912, x, 1.44269504088896341)
        let n = t - 12582912
        let r = A.madd(A.madd(x, n, -0.693359375), n, 2.12194440e-4)
        var p: Float = 1.9875691500e-4
        p = A.madd(1.3981999507e-3, p, r)
        p = A.madd(8.3334519073e-3, p, r)
        p = A.madd(4.1665795894e-2, p, r)
        p = A.madd(1.6666665459e-1, p, r)
        p = A.madd(5.0000001201e-1, p, r)
        let y = A.madd(r, p * r, r) + 1
        return y * Float(bitPattern: (t.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
    }

    @inline(__always)
    static func exp8<A: ProductSum>(_ v: SIMD8<Float>, _: A.Type) -> SIMD8<Float> {
        typealias V = SIMD8<Float>
        var x = v.replacing(with: -87.3, where: v .< -87.3)
        x.replace(with: 88.3, where: x .> 88.3)
        let t = A.madd(V(repeating: 12582912), x, V(repeating: 1.44269504088896341))
        let n = t - 12582912
        let r = A.madd(A.madd(x, n, V(repeating: -0.693359375)), n, V(repeating: 2.12194440e-4))
        var p = V(repeating: 1.9875691500e-4)
        p = A.madd(V(repeating: 1.3981999507e-3), p, r)
        p = A.madd(V(repeating: 8.3334519073e-3), p, r)
        p = A.madd(V(repeating: 4.1665795894e-2), p, r)
        p = A.madd(V(repeating: 1.6666665459e-1), p, r)
        p = A.madd(V(repeating: 5.0000001201e-1), p, r)
        let y = A.madd(r, p * r, r) + 1
        let bits = (unsafeBitCast(t, to: SIMD8<UInt32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return y * unsafeBitCast(bits, to: SIMD8<Float>.self)
    }

    @usableFromInline @inline(__always)
    static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    @usableFromInline @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

    /// Sum of the 8 lanes (pairwise, fixed order).
    @inlinable @inline(__always)
    public static func hsum(_ acc: SIMD8<Float>) -> Float {
        ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
    }

    /// Σ a[i]·b[i] over n elements with 8 partial sums (the loop vectoriser leaves float reductions scalar).
    @inlinable @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= n { acc += load8(a + i) * load8(b + i); i += 8 }
        var s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// Σ a[i] over n elements with 8 partial sums.
    @inlinable @inline(__always)
    public static func sum(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= n { acc += load8(a + i); i += 8 }
        var s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
        while i < n { s += a[i]; i += 1 }
        return s
    }

    /// max a[i] over n ≥ 1 elements (8 running maxima).
    @inlinable @inline(__always)
    public static func max(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = a[0]
        var i = 0
        if n >= 8 {
            var acc = load8(a)
            i = 8
            while i + 8 <= n {
                let v = load8(a + i)
                acc.replace(with: v, where: v .> acc)
                i += 8
            }
            m = acc[0]
            for k in 1..<8 where acc[k] > m { m = acc[k] }
        }
        while i < n { m = a[i] > m ? a[i] : m; i += 1 }
        return m
    }

    /// Σ (a[i] − mean)² over n elements with 8 partial sums.
    @inlinable @inline(__always)
    public static func sumSquaredDeviations(_ a: UnsafePointer<Float>, mean: Float, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= n { let d = load8(a + i) - mean; acc += d * d; i += 8 }
        var s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
        while i < n { let d = a[i] - mean; s += d * d; i += 1 }
        return s
    }
}
