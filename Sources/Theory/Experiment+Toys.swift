import Foundation
import TensorCore

/// vpbgd_toy, bome_toy and hyper_cleaning.
public enum ToyExperiments {
    /// V-PBGD toy: per γ, the local penalised solution (x_γ, y_γ) = local argmin over [0,3]×R of
    /// f + γg (GSL BFGS2, warm-started along the γ sweep from (x0, −x0 + 1)), its distance |x + y| to
    /// S(x), its penalty residual p = g (min g = 0) and |F'(x_γ)|; then V-PBGD itself (step 1/(8γ)).
    public static func vpbgd(_ c: TheoryConfig, _ rec: inout TheoryRecorder, progress: ((Int, Int) -> Void)?) throws {
        let p = VPBGDToy()
        let gammas = c.gammas
        var point = [c.vpbgd.x0, -c.vpbgd.x0 + 1]
        var dist: [Double] = [], pen: [Double] = [], stat: [Double] = []
        for (i, gamma) in gammas.enumerated() {
            let r = GSLMinimizer.minimize(point, gradientTolerance: 1e-12 * (1 + gamma), initialStep: 0.01) { z, grad in
                let x = [z[0]], y = [z[1]]
                grad[0] = p.upperGradX(x, y)[0] + gamma * p.lowerGradX(x, y)[0]
                grad[1] = p.upperGradY(x, y)[0] + gamma * p.lowerGradY(x, y)[0]
                return p.upper(x, y) + gamma * p.lower(x, y)
            }
            guard r.x[0] >= 0, r.x[0] <= 3 else {
                throw TheoryError.numerics("V-PBGD toy: the penalised minimiser left [0, 3] (x = \(r.x[0])) at γ = \(gamma); choose another vpbgd.x0")
            }
            point = r.x
            let x = [r.x[0]], y = [r.x[1]]
            let d = try p.distanceToSolutionSet(x, y), g = p.lower(x, y)
            let h = try p.trueHypergradient(x)![0]
            dist.append(d); pen.append(g); stat.append(abs(h))
            try rec.log(i, TheoryMetric.gamma, gamma)
            try rec.log(i, TheoryMetric.lambda, gamma / (1 + gamma))
            try rec.log(i, TheoryMetric.upperPoint, x[0])
            try rec.log(i, TheoryMetric.lowerPoint, y[0])
            try rec.log(i, TheoryMetric.distance, d)
            try rec.log(i, TheoryMetric.penaltyResidual, g)
            try rec.log(i, TheoryMetric.stationarity, abs(h))
            try rec.log(i, TheoryMetric.penalisedResidual, r.gradientNorm)
            // V-PBGD iterates from the same start: projected joint step 1/(L_g·γ), L_g = 8 bounds g's curvature on [0,3].
            let s = OuterSettings(method: .vpbgd, iterations: c.vpbgd.iterations, upperStep: (1 + gamma) / (8 * gamma), lowerStep: (1 + gamma) / (8 * gamma),
                                  proxyStep: 1.0 / 8, innerSteps: c.vpbgd.innerSteps, gamma: gamma, eta: 0, epsilon: c.outer.epsilon)
            let o = try OuterSolvers.run(p, x0: [c.vpbgd.x0], y0: [-c.vpbgd.x0 + 1], settings: s)
            if o.finite {
                try rec.log(i, TheoryMetric.outer("vpbgd", "distance_to_solution_set"), try p.distanceToSolutionSet(o.x, o.y))
                try rec.log(i, TheoryMetric.outer("vpbgd", "penalty_residual"), o.penaltyResidual)
                try rec.log(i, TheoryMetric.outer("vpbgd", "stationarity"), o.stationarity)
                try rec.log(i, TheoryMetric.outer("vpbgd", "x"), o.x[0])
            }
            progress?(i + 1, gammas.count)
        }
        try rec.addSlope("distance_vs_gamma", try SlopeFit.logLog(x: gammas, y: dist), expected: -1,
                         note: "|x_γ + y_γ| vs γ, V-PBGD toy local penalised solutions (Shen & Chen 2023: O(1/γ))")
        try rec.addSlope("distance_vs_gamma_corrected", try SlopeFit.logLogSeries(x: gammas, y: dist), expected: -1,
                         note: "|x_γ + y_γ| vs γ, V-PBGD toy local penalised solutions (Shen & Chen 2023: O(1/γ)); fit with correction-to-scaling terms (γ_min/γ)^j, as many as are significant")
        try rec.addSlope("penalty_residual_vs_gamma", try SlopeFit.logLog(x: gammas, y: pen), expected: -2,
                         note: "p = g(x_γ, y_γ) vs γ, V-PBGD toy (local solutions: O(1/γ²))")
        try rec.addSlope("penalty_residual_vs_gamma_corrected", try SlopeFit.logLogSeries(x: gammas, y: pen), expected: -2,
                         note: "p = g(x_γ, y_γ) vs γ, V-PBGD toy (local solutions: O(1/γ²)); fit with correction-to-scaling terms (γ_min/γ)^j, as many as are significant")
        try rec.addSlope("stationarity_vs_gamma", try SlopeFit.logLog(x: gammas, y: stat), expected: -1,
                         note: "|F'(x_γ)| vs γ, V-PBGD toy (ε-stationarity of the original problem: O(1/γ))")
        try rec.addSlope("stationarity_vs_gamma_corrected", try SlopeFit.logLogSeries(x: gammas, y: stat), expected: -1,
                         note: "|F'(x_γ)| vs γ, V-PBGD toy (ε-stationarity of the original problem: O(1/γ)); fit with correction-to-scaling terms (γ_min/γ)^j, as many as are significant")
    }

    /// BOME toys: for each K in sweep.k, every method of outer.methods from BOME's start point.
    public static func bome(_ c: TheoryConfig, _ rec: inout TheoryRecorder, progress: ((Int, Int) -> Void)?) throws {
        for (i, k) in c.sweep.k.enumerated() {
            try rec.log(i, TheoryMetric.k, Double(k))
            try rec.log(i, TheoryMetric.gamma, c.bome.gamma)
            if c.bome.problem == .lls {
                try OuterRuns.logMethods(BOMELowerLevelSingletonToy(), x0: [0], y0: [0, 0], config: c, gamma: c.bome.gamma, innerSteps: k,
                                         upperStep: c.bome.step, lowerStep: c.bome.step, proxyStep: c.bome.step,
                                         iterations: c.bome.iterations, step: i, &rec)
            } else {
                try OuterRuns.logMethods(BOMECoresetToy(), x0: [0, 0, 0, 0], y0: [0, 3], config: c, gamma: c.bome.gamma, innerSteps: k,
                                         upperStep: c.bome.step, lowerStep: c.bome.step, proxyStep: c.bome.step,
                                         iterations: c.bome.iterations, step: i, &rec)
            }
            progress?(i + 1, c.sweep.k.count)
        }
    }

    /// Hyper-cleaning: the penalty sweep at x = 0 (all weights ½) with the implicit true hypergradient,
    /// then `iterations` of exact-hypergradient descent on x and of BRIDGE one-step (λ from the first γ),
    /// reporting validation loss and the mean weight of clean vs corrupted samples.
    public static func hyperCleaning(_ c: TheoryConfig, _ rec: inout TheoryRecorder, progress: ((Int, Int) -> Void)?) throws {
        let h = c.hyperCleaning
        let p = try HyperCleaningProblem(trainSize: h.trainSize, validSize: h.validSize, features: h.features,
                                         corruption: h.corruption, ridge: h.ridge, rng: RNG(seed: UInt64(c.seed)))
        let x = [Double](repeating: 0, count: h.trainSize)
        let trueH = try p.trueHypergradient(x)!
        let gammas = c.gammas
        var bias: [Double] = [], dist: [Double] = [], pen: [Double] = []
        for (i, gamma) in gammas.enumerated() {
            let pt = try InnerSolvers.penaltyPoint(p, x: x, gamma: gamma, start: [Double](repeating: 0, count: h.features))
            let e = Vec.distance(pt.hypergradient, trueH)
            bias.append(e); dist.append(pt.distance); pen.append(pt.penaltyResidual)
            try rec.log(i, TheoryMetric.gamma, gamma)
            try rec.log(i, TheoryMetric.lambda, gamma / (1 + gamma))
            try rec.log(i, TheoryMetric.biasNorm, e)
            try rec.log(i, TheoryMetric.biasRelative, e / max(Vec.norm(trueH), .leastNormalMagnitude))
            try rec.log(i, TheoryMetric.cosine, Vec.cosine(pt.hypergradient, trueH))
            try rec.log(i, TheoryMetric.distance, pt.distance)
            try rec.log(i, TheoryMetric.penaltyResidual, pt.penaltyResidual)
            try rec.log(i, TheoryMetric.upperGap, p.upper(x, pt.penalised.y) - p.upper(x, pt.inner.y))
            try rec.log(i, TheoryMetric.innerResidual, pt.inner.residual)
            try rec.log(i, TheoryMetric.penalisedResidual, pt.penalised.residual)
            progress?(i + 1, gammas.count)
        }
        try rec.addSlope("bias_vs_gamma", try SlopeFit.logLog(x: gammas, y: bias), expected: -1,
                         note: "‖h_γ − ∇F‖ vs γ, hyper-cleaning (O(1/γ))")
        try rec.addSlope("bias_vs_gamma_corrected", try SlopeFit.logLogSeries(x: gammas, y: bias), expected: -1,
                         note: "‖h_γ − ∇F‖ vs γ, hyper-cleaning (O(1/γ)); fit with correction-to-scaling terms (γ_min/γ)^j, as many as are significant")
        try rec.addSlope("distance_vs_gamma", try SlopeFit.logLog(x: gammas, y: dist), expected: -1,
                         note: "‖y_γ − y*‖ vs γ, hyper-cleaning (O(1/γ))")
        try rec.addSlope("distance_vs_gamma_corrected", try SlopeFit.logLogSeries(x: gammas, y: dist), expected: -1,
                         note: "‖y_γ − y*‖ vs γ, hyper-cleaning (O(1/γ)); fit with correction-to-scaling terms (γ_min/γ)^j, as many as are significant")
        try rec.addSlope("penalty_residual_vs_gamma", try SlopeFit.logLog(x: gammas, y: pen), expected: -2,
                         note: "p vs γ, hyper-cleaning (local: O(1/γ²))")
        try rec.addSlope("penalty_residual_vs_gamma_corrected", try SlopeFit.logLogSeries(x: gammas, y: pen), expected: -2,
                         note: "p vs γ, hyper-cleaning (local: O(1/γ²)); fit with correction-to-scaling terms (γ_min/γ)^j, as many as are significant")
        // Cleaning runs: does the upper level down-weight the corrupted samples?
        let y0 = [Double](repeating: 0, count: h.features)
        try rec.setFinal("theory/hc/valid_loss_start", try p.reducedUpper(x))
        for method in [OuterMethod.exactHypergradient, .bridgeOneStep] {
            let s = OuterSettings(method: method, iterations: h.iterations, upperStep: method == .exactHypergradient ? h.upperStep : h.upperStep / (1 - (gammas.first! / (1 + gammas.first!))),
                                  lowerStep: 1, proxyStep: 1, innerSteps: 1, gamma: gammas.first!, eta: 0, epsilon: c.outer.epsilon)
            let o = try OuterSolvers.run(p, x0: x, y0: y0, settings: s)
            guard o.finite else { throw TheoryDiverged(metric: "theory/hc/\(method.rawValue)", step: -1, value: .nan) }
            var clean = 0.0, bad = 0.0, nc = 0.0, nb = 0.0
            for i in 0..<h.trainSize {
                let w = HyperCleaningProblem.sigmoid(o.x[i])
                if p.corrupted[i] { bad += w; nb += 1 } else { clean += w; nc += 1 }
            }
            try rec.setFinal("theory/hc/\(method.rawValue)/valid_loss_end", try p.reducedUpper(o.x))
            try rec.setFinal("theory/hc/\(method.rawValue)/weight_clean_mean", nc > 0 ? clean / nc : 0)
            try rec.setFinal("theory/hc/\(method.rawValue)/weight_corrupted_mean", nb > 0 ? bad / nb : 0)
        }
    }
}
