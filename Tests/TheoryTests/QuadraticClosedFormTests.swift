import Testing
import TensorCore
import Theory

/// The quadratic's closed forms against iterative and GSL solvers.
@Suite struct QuadraticClosedFormTests {
    let p: QuadraticProblem
    let x: [Double]
    init() throws {
        p = try QuadraticProblem(dimension: 12, mu: 0.1, upperRidge: 0, rng: RNG(seed: 11))
        x = p.evaluationPoint(rng: RNG(seed: 11))
    }

    @Test func spectrumIsLogSpacedInMuToOneAndHessianMatchesIt() throws {
        #expect(abs(p.eigenvalues.first! - 0.1) < 1e-15 && abs(p.eigenvalues.last! - 1) < 1e-15)
        // A·q_j = λ_j q_j for every eigenvector column.
        var worst = 0.0
        for j in 0..<p.dimension {
            let q = (0..<p.dimension).map { p.basis[$0, j] }
            worst = max(worst, Vec.distance(p.hessian.times(q), Vec.scale(q, p.eigenvalues[j])))
        }
        #expect(worst < 1e-12, "worst eigen-residual \(worst)")
    }

    @Test func innerSolutionMatchesGradientDescentAndGSL() throws {
        let closed = try p.innerSolution(x, start: x)
        let gd = InnerSolvers.gradientDescentToTolerance(p, x: x, from: [Double](repeating: 0, count: p.dimension),
                                                        stepSize: 1, tolerance: 1e-12, maxSteps: 100_000)
        let gsl = p.numericalInnerSolution(x, start: [Double](repeating: 0, count: p.dimension), tolerance: 1e-9)
        #expect(closed.residual < 1e-12)
        // Strong convexity certificate: ‖y − y*‖ ≤ ‖∇g(y)‖/μ.
        #expect(gd.residual <= 1e-12 && Vec.distance(gd.y, closed.y) <= gd.residual / 0.1 + 1e-13, "GD \(Vec.distance(gd.y, closed.y))")
        #expect(gsl.residual <= 1e-7 && Vec.distance(gsl.y, closed.y) <= gsl.residual / 0.1 + 1e-13,
                "GSL distance \(Vec.distance(gsl.y, closed.y)) residual \(gsl.residual)")
    }

    @Test func penalisedSolutionMatchesGSLAndBiasMatchesEigenFormula() throws {
        for gamma in [0.43, 9.0, 99.0, 1e4] {
            let closed = try p.penalisedSolution(x, gamma: gamma, start: x)
            let gsl = GSLMinimizer.minimize([Double](repeating: 0, count: p.dimension), gradientTolerance: 1e-11 * (1 + gamma)) { y, g in
                let gr = Vec.axpy(p.upperGradY(x, y), gamma, p.lowerGradY(x, y))
                for i in 0..<y.count { g[i] = gr[i] }
                return p.upper(x, y) + gamma * p.lower(x, y)
            }
            // Certificate: f + γg is (1 + γμ)-strongly convex, so ‖y − y_γ‖ ≤ ‖∇‖/(1 + γμ).
            #expect(Vec.distance(gsl.x, closed.y) <= gsl.gradientNorm / (1 + gamma * 0.1) + 1e-13 && gsl.gradientNorm <= 1e-6 * (1 + gamma),
                    "γ = \(gamma): GSL vs closed form \(Vec.distance(gsl.x, closed.y)), residual \(gsl.gradientNorm)")
            let pt = try InnerSolvers.penaltyPoint(p, x: x, gamma: gamma, start: x)
            let bias = Vec.distance(pt.hypergradient, try p.trueHypergradient(x)!)
            let eig = p.biasByEigenbasis(x, gamma: gamma)
            #expect(abs(bias - eig) <= 1e-9 * (1 + eig), "γ = \(gamma): bias \(bias) vs eigenbasis \(eig)")
        }
    }

    @Test func oneStepProxyIsOneGradientStepAndKStepsContract() throws {
        let y0 = try p.penalisedSolution(x, gamma: 10, start: x).y
        let one = InnerSolvers.gradientSteps(p, x: x, from: y0, steps: 1, stepSize: 0.5)
        #expect(one == Vec.axpy(y0, -0.5, p.lowerGradY(x, y0)))
        let ystar = try p.innerSolution(x, start: x).y
        var prev = Vec.distance(y0, ystar)
        for k in [1, 2, 4, 8, 16] {
            let e = Vec.distance(InnerSolvers.gradientSteps(p, x: x, from: y0, steps: k, stepSize: 1), ystar)
            #expect(e < prev, "K = \(k): error \(e) did not fall below \(prev)")
            prev = e
        }
    }
}
