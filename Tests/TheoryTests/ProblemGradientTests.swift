import Testing
import TensorCore
import Theory

/// Central-difference checks of every toy's partial gradients and lower Hessian-vector product.
@Suite struct ProblemGradientTests {
    static func fd(_ h: Double, _ v: [Double], _ fn: ([Double]) -> Double) -> [Double] {
        (0..<v.count).map { i in
            var p = v, m = v
            p[i] += h; m[i] -= h
            return (fn(p) - fn(m)) / (2 * h)
        }
    }

    /// Worst |analytic − finite difference| / (1 + |analytic|) over f_x, f_y, g_x, g_y and the HVP.
    static func worstError<P: BilevelProblem>(_ p: P, x: [Double], y: [Double]) -> (Double, String) {
        let h = 1e-6
        var worst = (0.0, "")
        func check(_ name: String, _ a: [Double], _ n: [Double]) {
            for i in 0..<a.count {
                let e = abs(a[i] - n[i]) / (1 + abs(a[i]))
                if e > worst.0 { worst = (e, "\(p.name) \(name)[\(i)]: analytic \(a[i]) vs fd \(n[i])") }
            }
        }
        check("f_x", p.upperGradX(x, y), fd(h, x) { p.upper($0, y) })
        check("f_y", p.upperGradY(x, y), fd(h, y) { p.upper(x, $0) })
        check("g_x", p.lowerGradX(x, y), fd(h, x) { p.lower($0, y) })
        check("g_y", p.lowerGradY(x, y), fd(h, y) { p.lower(x, $0) })
        var r = RNG(seed: 3).derive("hvp")
        let v = (0..<y.count).map { _ in r.normal() }
        let hv = (0..<y.count).map { i in
            Vec.dot(v, fd(h, y) { p.lowerGradY(x, $0)[i] })
        }
        check("hvp", p.lowerHessianVector(x, y, v), hv)
        return worst
    }

    @Test func vpbgdToyGradientsMatchFiniteDifferences() {
        for (x, y) in [(0.3, 0.7), (1.7, -1.2), (2.5, 0.4)] {
            let w = Self.worstError(VPBGDToy(), x: [x], y: [y])
            #expect(w.0 < 1e-7, "\(w.1)")
        }
    }

    @Test func bomeToysGradientsMatchFiniteDifferences() {
        let w1 = Self.worstError(BOMELowerLevelSingletonToy(), x: [0.4], y: [1.3, -0.6])
        #expect(w1.0 < 1e-7, "\(w1.1)")
        let w2 = Self.worstError(BOMECoresetToy(), x: [0.2, -0.5, 0.9, 0.1], y: [0.5, 1.5])
        #expect(w2.0 < 1e-7, "\(w2.1)")
    }

    @Test func quadraticAndHyperCleaningGradientsMatchFiniteDifferences() throws {
        let q = try QuadraticProblem(dimension: 6, mu: 0.05, upperRidge: 0.5, rng: RNG(seed: 1))
        var r = RNG(seed: 2)
        let w = Self.worstError(q, x: (0..<6).map { _ in r.normal() }, y: (0..<6).map { _ in r.normal() })
        #expect(w.0 < 1e-7, "\(w.1)")
        let hc = try HyperCleaningProblem(trainSize: 12, validSize: 8, features: 4, corruption: 0.25, ridge: 0.05, rng: RNG(seed: 4))
        let w2 = Self.worstError(hc, x: (0..<12).map { _ in r.normal() }, y: (0..<4).map { _ in r.normal() })
        #expect(w2.0 < 1e-7, "\(w2.1)")
    }

    /// The true hypergradients (closed form, implicit function theorem, y* = −x) against central
    /// differences of F(x) = f(x, y*(x)).
    @Test func trueHypergradientsMatchFiniteDifferencesOfF() throws {
        let q = try QuadraticProblem(dimension: 5, mu: 0.1, upperRidge: 0.3, rng: RNG(seed: 7))
        let hc = try HyperCleaningProblem(trainSize: 10, validSize: 10, features: 3, corruption: 0.2, ridge: 0.1, rng: RNG(seed: 8))
        func check<P: BilevelProblem>(_ p: P, _ x: [Double], tol: Double) throws {
            let h = try p.trueHypergradient(x)!
            let n = Self.fd(1e-5, x) { (try? p.reducedUpper($0)) ?? .nan }
            for i in 0..<x.count {
                #expect(abs(h[i] - n[i]) <= tol * (1 + abs(h[i])), "\(p.name) ∇F[\(i)]: \(h[i]) vs fd \(n[i])")
            }
        }
        try check(q, [0.3, -1, 0.5, 2, -0.2], tol: 1e-6)
        try check(hc, (0..<10).map { Double($0) / 5 - 1 }, tol: 1e-6)
        try check(VPBGDToy(), [1.3], tol: 1e-7)
        try check(BOMECoresetToy(), [0.1, -0.3, 0.6, 0.2], tol: 1e-7)
    }
}
