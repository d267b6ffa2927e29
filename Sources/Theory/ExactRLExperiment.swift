import Foundation
import GPT
import TensorCore

/// exact_rl: one-step vs K-step vs exact θ*(w) on the tiny GPT with exact-expectation RL.
///
/// From θ0 (the seed's initialisation, w fixed): the exact θ*(w) is gradient descent on g with the
/// exact gradient until ‖∇θ g‖ ≤ inner_tolerance (or inner_iterations; the residual is reported);
/// then for every α̂ = alpha·inner_step and K of the sweep, θ̂_K = K steps from θ0, compared with θ*:
/// ‖θ̂ − θ*‖, the value gap g(θ̂) − g(θ*), KL(π_θ* ‖ π_θ̂), and BRIDGE's meta-term
/// m̂ = ∇w g(θ0, w) − ∇w g(θ̂, w) against m* = ∇w g(θ0, w) − ∇w g(θ*, w) (error norm and cosine).
/// A Monte-Carlo estimate of J_RL at θ0 (sampled with the model's sampler) is logged beside the exact sum.
public enum ExactRLExperiment {
    public static func run(_ c: TheoryConfig, _ rec: inout TheoryRecorder, progress: ((Int, Int) -> Void)?) throws {
        let s = c.exactRL
        let rng = RNG(seed: UInt64(c.seed))
        let obj = try ExactRLObjective(settings: s, rng: rng)
        let m = obj.model
        let theta0 = m.theta.storage
        let v0 = obj.evaluate(gradientW: true)
        let gw0 = m.gradW.storage.map(Double.init)
        try rec.setFinal("theory/exact_rl/expected_reward_start", v0.expectedReward)
        try rec.setFinal("theory/exact_rl/lower_loss_start", v0.lowerLoss)
        try rec.setFinal("theory/exact_rl/sequences", Double(obj.answers.count * s.prompts))
        let mc = monteCarloReward(obj, samples: s.monteCarloSamples, rng: rng.derive("exact_rl/mc"))
        try rec.setFinal("theory/exact_rl/mc_expected_reward", mc.mean)
        try rec.setFinal("theory/exact_rl/mc_standard_error", mc.se)
        try rec.setFinal("theory/exact_rl/mc_z", mc.se > 0 ? (mc.mean - v0.expectedReward) / mc.se : 0)

        // Exact θ*(w): the inner problem solved to convergence with the exact gradient (GSL BFGS2 on θ,
        // values and gradients from the exact sums; Float32 model arithmetic limits the reachable residual).
        // BFGS2 stops when a line search fails at Float32 noise level; it is restarted from where it
        // stopped until the tolerance, the iteration budget, or no further progress.
        var current = theta0.map(Double.init)
        var residual = Double.infinity, iterations = 0
        while iterations < s.innerIterations {
            let solved = GSLMinimizer.minimize(current, gradientTolerance: s.innerTolerance,
                                               maxIterations: s.innerIterations - iterations, initialStep: s.innerStep) { th, grad in
                for i in 0..<th.count { m.theta.storage[i] = Float(th[i]) }
                let v = obj.evaluate(gradientTheta: true)
                for i in 0..<th.count { grad[i] = Double(m.gradTheta.storage[i]) }
                return v.lowerLoss
            }
            let progressMade = solved.gradientNorm < residual * 0.999
            current = solved.x; residual = solved.gradientNorm
            iterations += max(1, solved.iterations)
            if solved.converged || !progressMade { break }
        }
        m.theta.storage = current.map { Float($0) }
        // Gradient-descent polish with the exact gradient for the rest of the budget (it needs no line
        // search, so Float32 value noise does not stop it).
        while residual > s.innerTolerance && iterations < s.innerIterations {
            obj.evaluate(gradientTheta: true)
            residual = ExactRLObjective.norm(m.gradTheta.storage)
            if residual <= s.innerTolerance || !residual.isFinite { break }
            let a = Float(s.innerStep)
            for i in 0..<m.theta.count { m.theta.storage[i] -= a * m.gradTheta.storage[i] }
            iterations += 1
        }
        guard residual.isFinite else { throw TheoryDiverged(metric: "theory/exact_rl/inner_residual", step: -1, value: residual) }
        let thetaStar = m.theta.storage
        let vStar = obj.evaluate(gradientW: true)
        let gwStar = m.gradW.storage.map(Double.init)
        let lpStar = obj.sequenceLogProbs()
        let metaStar = Vec.sub(gw0, gwStar)
        try rec.setFinal("theory/exact_rl/inner_residual", residual)
        try rec.setFinal("theory/exact_rl/inner_iterations", Double(iterations))
        try rec.setFinal("theory/exact_rl/inner_converged", residual <= s.innerTolerance ? 1 : 0)
        try rec.setFinal("theory/exact_rl/expected_reward_star", vStar.expectedReward)
        try rec.setFinal("theory/exact_rl/lower_loss_star", vStar.lowerLoss)
        try rec.setFinal("theory/exact_rl/gap_to_distributional_optimum", vStar.lowerLoss - obj.distributionalOptimum)

        let total = c.sweep.alpha.count * c.sweep.k.count
        var step = 0
        for alpha in c.sweep.alpha {
            for k in c.sweep.k {
                m.theta.storage = theta0
                obj.lowerSteps(k, step: alpha * s.innerStep)
                let v = obj.evaluate(gradientW: true)
                let gw = m.gradW.storage.map(Double.init)
                let lp = obj.sequenceLogProbs()
                var kl = 0.0
                for r in 0..<lp.count { kl += exp(lpStar[r]) * (lpStar[r] - lp[r]) / Double(s.prompts) }
                let meta = Vec.sub(gw0, gw)
                var dist = 0.0
                for i in 0..<thetaStar.count { let d = Double(m.theta.storage[i]) - Double(thetaStar[i]); dist += d * d }
                try rec.log(step, TheoryMetric.alpha, alpha * s.innerStep)
                try rec.log(step, TheoryMetric.k, Double(k))
                try rec.log(step, TheoryMetric.proxyError, dist.squareRoot())
                try rec.log(step, TheoryMetric.penaltyResidual, v.lowerLoss - vStar.lowerLoss)
                try rec.log(step, TheoryMetric.klStarToProxy, kl)
                try rec.log(step, TheoryMetric.expectedReward, v.expectedReward)
                try rec.log(step, TheoryMetric.biasNorm, Vec.distance(meta, metaStar))
                try rec.log(step, TheoryMetric.cosine, Vec.cosine(meta, metaStar))
                if k == 1 && alpha == c.sweep.alpha.last {
                    try rec.setFinal("theory/exact_rl/one_step/value_gap", v.lowerLoss - vStar.lowerLoss)
                    try rec.setFinal("theory/exact_rl/one_step/meta_cosine", Vec.cosine(meta, metaStar))
                    try rec.setFinal("theory/exact_rl/one_step/meta_error", Vec.distance(meta, metaStar))
                }
                if k == c.sweep.k.max() && alpha == c.sweep.alpha.last {
                    try rec.setFinal("theory/exact_rl/k_step/k", Double(k))
                    try rec.setFinal("theory/exact_rl/k_step/value_gap", v.lowerLoss - vStar.lowerLoss)
                    try rec.setFinal("theory/exact_rl/k_step/meta_cosine", Vec.cosine(meta, metaStar))
                    try rec.setFinal("theory/exact_rl/k_step/meta_error", Vec.distance(meta, metaStar))
                }
                step += 1
                progress?(step, total)
            }
        }
        try rec.setFinal("theory/exact_rl/meta_star_norm", Vec.norm(metaStar))
        m.theta.storage = theta0
    }

    /// Monte-Carlo estimate of J_RL = E[R] at the model's current parameters: `samples` answers per
    /// prompt drawn by GPTModel.sample (temperature 1), mean reward and its standard error.
    public static func monteCarloReward(_ obj: ExactRLObjective, samples: Int, rng: RNG) -> (mean: Double, se: Double) {
        var rewards: [Double] = []
        let chunk = 256
        for p in 0..<obj.settings.prompts {
            var drawn = 0
            while drawn < samples {
                let n = min(chunk, samples - drawn)
                var rngs = (0..<n).map { rng.derive("prompt\(p)", UInt64(drawn + $0)) }
                let batch = obj.model.sample(prompts: [[Int32]](repeating: [Int32(p)], count: n), maxNewTokens: obj.settings.answerLength,
                                             options: SamplingOptions(), rngs: &rngs)
                for seq in batch.tokens { rewards.append(seq == obj.answers[obj.targets[p]] ? 1 : 0) }
                drawn += n
            }
        }
        let n = Double(rewards.count)
        let mean = rewards.reduce(0, +) / n
        let variance = rewards.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return (mean, (variance / n).squareRoot())
    }
}
