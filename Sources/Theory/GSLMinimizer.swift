import CNumerics
import Foundation

/// Certified numerical minimisation with GSL's multimin (vector BFGS2): runs until the gradient norm is
/// below `gradientTolerance` (gsl_multimin_test_gradient) or `maxIterations`, and reports the residual
/// ‖∇‖ at the returned point, so that every "exact" inner solution says how exact it is.
public enum GSLMinimizer {
    /// Objective and gradient at x: returns the value and writes the gradient.
    public typealias ValueAndGradient = ([Double], inout [Double]) -> Double

    public struct Result: Sendable {
        public var x: [Double]
        public var value: Double
        /// ‖∇‖ at x, recomputed after the run (not GSL's internal copy).
        public var gradientNorm: Double
        public var iterations: Int
        /// True when the gradient test passed.
        public var converged: Bool
    }

    /// Boxes the Swift closure so that GSL's C callbacks can reach it through `params`.
    final class Box {
        let fdf: ValueAndGradient
        let n: Int
        init(_ fdf: @escaping ValueAndGradient, _ n: Int) { self.fdf = fdf; self.n = n }
        func eval(_ v: UnsafePointer<gsl_vector>?, _ grad: UnsafeMutablePointer<gsl_vector>?) -> Double {
            var x = [Double](repeating: 0, count: n)
            for i in 0..<n { x[i] = gsl_vector_get(v, i) }
            var g = [Double](repeating: 0, count: n)
            let f = fdf(x, &g)
            if let grad { for i in 0..<n { gsl_vector_set(grad, i, g[i]) } }
            return f
        }
    }

    /// Minimises from x0. `initialStep` is BFGS2's first trial step, `lineTolerance` its line-search
    /// accuracy (GSL recommends 0.1 for BFGS2).
    public static func minimize(_ x0: [Double], gradientTolerance: Double, maxIterations: Int = 10_000,
                                initialStep: Double = 0.1, lineTolerance: Double = 0.1,
                                _ fdf: @escaping ValueAndGradient) -> Result {
        cnumerics_gsl_disable_abort()
        let n = x0.count
        let box = Box(fdf, n)
        let params = Unmanaged.passRetained(box)
        defer { params.release() }
        var function = gsl_multimin_function_fdf()
        function.n = n
        function.params = params.toOpaque()
        function.f = { v, p in Unmanaged<Box>.fromOpaque(p!).takeUnretainedValue().eval(v, nil) }
        function.df = { v, p, g in _ = Unmanaged<Box>.fromOpaque(p!).takeUnretainedValue().eval(v, g) }
        function.fdf = { v, p, f, g in f!.pointee = Unmanaged<Box>.fromOpaque(p!).takeUnretainedValue().eval(v, g) }
        let start = gsl_vector_alloc(n)!
        defer { gsl_vector_free(start) }
        for i in 0..<n { gsl_vector_set(start, i, x0[i]) }
        let s = gsl_multimin_fdfminimizer_alloc(cnumerics_multimin_bfgs2(), n)!
        defer { gsl_multimin_fdfminimizer_free(s) }
        gsl_multimin_fdfminimizer_set(s, &function, start, initialStep, lineTolerance)
        var iterations = 0
        var converged = gsl_multimin_test_gradient(gsl_multimin_fdfminimizer_gradient(s), gradientTolerance) == GSL_SUCCESS
        while !converged && iterations < maxIterations {
            iterations += 1
            let status = gsl_multimin_fdfminimizer_iterate(s)
            converged = gsl_multimin_test_gradient(gsl_multimin_fdfminimizer_gradient(s), gradientTolerance) == GSL_SUCCESS
            if status != GSL_SUCCESS { break } // no progress possible (e.g. at machine precision)
        }
        let xv = gsl_multimin_fdfminimizer_x(s)
        let x = (0..<n).map { gsl_vector_get(xv, $0) }
        var g = [Double](repeating: 0, count: n)
        let value = fdf(x, &g)
        let gn = Vec.norm(g)
        return Result(x: x, value: value, gradientNorm: gn, iterations: iterations, converged: converged || gn <= gradientTolerance)
    }

    /// Newton polish: a few Newton steps with a Hessian-vector-free dense Hessian (Cholesky), used after
    /// BFGS2 when the residual must reach machine precision (penalised problems with large γ).
    public static func newtonPolish(_ x0: [Double], steps: Int, gradient: ([Double]) -> [Double],
                                    hessian: ([Double]) -> DenseMatrix) throws -> (x: [Double], gradientNorm: Double) {
        var x = x0
        var g = gradient(x)
        for _ in 0..<steps {
            let d = try hessian(x).choleskySolve(g)
            let candidate = Vec.axpy(x, -1, d)
            let gc = gradient(candidate)
            if !(Vec.norm(gc) < Vec.norm(g)) { break } // stalled at rounding level
            x = candidate; g = gc
        }
        return (x, Vec.norm(g))
    }
}
