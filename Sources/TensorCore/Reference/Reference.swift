/// Naive Double-precision kernels: the test oracle for the fast Float kernels in Kernels/.
///
/// Written independently of the fast kernels and deliberately plain: straight loops over flat
/// row-major `[Double]` arrays, no BLAS, no saved caches (backward passes recompute what they need
/// from the inputs), and where a derivative has a compact closed form the reference uses the explicit
/// Jacobian instead (layer norm, softmax), so that a shared algebra slip cannot hide in both.
///
/// Shapes use the legend of `Kernels.swift` (B, T, C, OC, V, NH, hs = C / NH, N = B·T rows).
/// Conventions match the fast kernels: outputs are returned (forward) and gradients are accumulated
/// (+=) into `inout` arrays (backward), so tests can check the accumulate semantics of both.
public enum Reference {
    /// Σ a[i]·b[i], the scalar objective L = Σ r·out used by gradient checks.
    public static func dot(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "dot: \(a.count) vs \(b.count) elements")
        var s = 0.0
        for i in 0..<a.count { s += a[i] * b[i] }
        return s
    }

    @inline(__always)
    static func check(_ array: [Double], _ count: Int, _ name: String) {
        precondition(array.count == count, "\(name) has \(array.count) elements, expected \(count)")
    }
}
