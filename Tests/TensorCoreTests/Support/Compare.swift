import Testing
import TensorCore

/// Element-wise closeness for tensors: passes when |actual − expected| ≤ atol + rtol·|expected| for
/// every element (NaN never passes). On failure it records ONE issue naming the worst element (largest
/// error relative to its own tolerance), its flat index and its index in `shape` (axes named by
/// `axes`, e.g. "B,T,C"), both values, the tolerance, and how many elements failed.
func expectClose(_ actual: [Double], _ expected: [Double], atol: Double, rtol: Double, _ what: String,
                 shape: [Int] = [], axes: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(what): \(actual.count) elements, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    var worst = -1, worstExcess = 0.0, failures = 0
    for i in 0..<actual.count {
        let bound = atol + rtol * abs(expected[i])
        let err = abs(actual[i] - expected[i])
        let excess = err.isNaN ? Double.infinity : err / bound
        if !(err <= bound) {
            failures += 1
            if worst < 0 || excess > worstExcess { worst = i; worstExcess = excess }
        }
    }
    guard worst >= 0 else { return }
    let a = actual[worst], e = expected[worst]
    Issue.record("""
        \(what): \(failures) of \(actual.count) elements outside atol \(atol) + rtol \(rtol)·|expected|; \
        worst at flat index \(worst)\(multiIndex(worst, shape: shape, axes: axes)): \
        actual \(a), expected \(e), |error| \(abs(a - e)) (\(worstExcess)× its tolerance)
        """, sourceLocation: sourceLocation)
}

/// Float convenience: compares a fast kernel's Float output with a Double reference.
func expectClose(_ actual: [Float], _ expected: [Double], atol: Double, rtol: Double, _ what: String,
                 shape: [Int] = [], axes: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose(actual.map(Double.init), expected, atol: atol, rtol: rtol, what, shape: shape, axes: axes,
                sourceLocation: sourceLocation)
}

/// " = (B,T,C) (1, 0, 4)" for a row-major shape, or "" without one.
func multiIndex(_ flat: Int, shape: [Int], axes: String) -> String {
    guard !shape.isEmpty, shape.reduce(1, *) > 0 else { return "" }
    var rest = flat, index: [Int] = []
    for extent in shape.reversed() { index.append(rest % extent); rest /= extent }
    let label = axes.isEmpty ? "" : "(\(axes)) "
    return " = \(label)(" + index.reversed().map(String.init).joined(separator: ", ") + ")"
}

/// Central differences of a scalar function: ∂f/∂xᵢ ≈ (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h.
func numericalGradient(_ x: [Double], h: Double = 1e-5, _ f: ([Double]) -> Double) -> [Double] {
    var probe = x
    var grad = [Double](repeating: 0, count: x.count)
    for i in 0..<x.count {
        probe[i] = x[i] + h
        let up = f(probe)
        probe[i] = x[i] - h
        let down = f(probe)
        probe[i] = x[i]
        grad[i] = (up - down) / (2 * h)
    }
    return grad
}

/// a − b element-wise: the part a backward pass added to a prefilled gradient buffer.
func minus(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { $0 - $1 } }

/// a + b element-wise.
func plus(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { $0 + $1 } }

/// Seeded test data. Values are drawn as Float so the Double copy holds exactly the same numbers,
/// and a fast-vs-reference difference can only come from Float arithmetic.
struct TestData {
    var rng: RNG
    init(_ purpose: String, _ index: UInt64 = 0) { rng = RNG(seed: 20_260_525).derive(purpose, index) }

    mutating func floats(_ count: Int, std: Float = 1, mean: Float = 0) -> [Float] {
        var a = [Float](repeating: 0, count: count)
        rng.fillNormal(&a, count: count, mean: mean, std: std)
        return a
    }

    mutating func doubles(_ count: Int, std: Double = 1, mean: Double = 0) -> [Double] {
        floats(count, std: Float(std), mean: Float(mean)).map(Double.init)
    }

    mutating func tokens(_ count: Int, below V: Int) -> [Int32] {
        (0..<count).map { _ in Int32(rng.int(below: V)) }
    }
}

extension Array where Element == Float {
    var asDouble: [Double] { map(Double.init) }
}

/// Activation shapes exercised by the tests: T = 1, C not a multiple of 8, NH > 1, B > 1.
struct Shape: CustomStringConvertible, Sendable {
    var B: Int, T: Int, C: Int, NH: Int
    var N: Int { B * T }
    var description: String { "B\(B) T\(T) C\(C) NH\(NH)" }
}
