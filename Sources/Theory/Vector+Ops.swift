import Foundation

/// Small dense vector helpers on `[Double]` for the theory problems (dimensions are tens, not millions,
/// so clarity beats BLAS here; every sum runs in index order, so results are bit-reproducible).
public enum Vec {
    public static func dot(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "dot: lengths \(a.count) and \(b.count) differ")
        var s = 0.0
        for i in 0..<a.count { s += a[i] * b[i] }
        return s
    }
    public static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
    public static func add(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { $0 + $1 } }
    public static func sub(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { $0 - $1 } }
    public static func scale(_ a: [Double], _ s: Double) -> [Double] { a.map { $0 * s } }
    /// a + s·b
    public static func axpy(_ a: [Double], _ s: Double, _ b: [Double]) -> [Double] { zip(a, b).map { $0 + s * $1 } }
    public static func distance(_ a: [Double], _ b: [Double]) -> Double { norm(sub(a, b)) }
    /// Cosine of the angle between a and b (0 when either is the zero vector).
    public static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        let na = norm(a), nb = norm(b)
        return na > 0 && nb > 0 ? dot(a, b) / (na * nb) : 0
    }
    public static func isFinite(_ a: [Double]) -> Bool { a.allSatisfy { $0.isFinite } }
}
