import Foundation
import GPT
import Testing
import TensorCore
import Theory

@Suite struct ExactRLTests {
    /// The exact sum J_RL = Σ π·R against a Monte-Carlo estimate from the model's own sampler:
    /// |exact − MC| ≤ 4 standard errors (a false alarm has probability ~6e-5).
    @Test func exactExpectedRewardMatchesMonteCarloWithinStandardError() throws {
        var s = ExactRLSettings()
        s.monteCarloSamples = 3000
        let obj = try ExactRLObjective(settings: s, rng: RNG(seed: 21))
        // A few exact RL steps so that the policy is not the initial one.
        obj.lowerSteps(10, step: 0.5)
        let exact = obj.evaluate().expectedReward
        #expect(exact > 0.01, "J_RL = \(exact): the check needs a non-degenerate policy")
        #expect(exact < 0.95, "J_RL = \(exact): the check needs a non-degenerate policy")
        let mc = ExactRLExperiment.monteCarloReward(obj, samples: s.monteCarloSamples, rng: RNG(seed: 22))
        #expect(mc.se > 0)
        #expect(abs(exact - mc.mean) <= 4 * mc.se, "exact \(exact) vs MC \(mc.mean) ± \(mc.se)")
    }

    /// Probabilities of the enumerated space sum to one per prompt (the space really is complete).
    @Test func enumeratedSpaceIsComplete() throws {
        let obj = try ExactRLObjective(settings: ExactRLSettings(), rng: RNG(seed: 3))
        let lp = obj.sequenceLogProbs()
        let n = obj.answers.count
        for p in 0..<obj.settings.prompts {
            let total = (0..<n).reduce(0.0) { $0 + exp(lp[p * n + $1]) }
            #expect(abs(total - 1) < 1e-5, "prompt \(p): Σπ = \(total)")
        }
    }

    /// The exact ∇θ g against a central difference of g along a random direction (Float32 model:
    /// relative tolerance 2e-2).
    @Test func exactGradientMatchesDirectionalDifference() throws {
        let obj = try ExactRLObjective(settings: ExactRLSettings(), rng: RNG(seed: 5))
        obj.lowerSteps(10, step: 0.5)
        let m = obj.model
        let theta = m.theta.storage
        obj.evaluate(gradientTheta: true)
        var r = RNG(seed: 6)
        let d = (0..<theta.count).map { _ in Float(r.normal()) }
        let analytic = zip(m.gradTheta.storage, d).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let h: Float = 1e-2
        m.theta.storage = zip(theta, d).map { $0 + h * $1 }
        let plus = obj.evaluate().lowerLoss
        m.theta.storage = zip(theta, d).map { $0 - h * $1 }
        let minus = obj.evaluate().lowerLoss
        m.theta.storage = theta
        let numeric = (plus - minus) / (2 * Double(h))
        #expect(abs(analytic - numeric) <= 2e-2 * abs(analytic) + 1e-6, "analytic \(analytic) vs numeric \(numeric)")
    }

    @Test func experimentReportsOneStepKStepAndExact() {
        var c = TheoryConfig()
        c.experiment = .exactRL
        c.sweep.k = [1, 4]
        c.sweep.alpha = [1]
        c.exactRL.innerIterations = 100
        c.exactRL.monteCarloSamples = 200
        let o = TheoryRun.run(c, runId: "t")
        #expect(o.result.status == .finished, "\(o.result.error ?? "")")
        for key in ["theory/exact_rl/one_step/value_gap", "theory/exact_rl/k_step/value_gap", "theory/exact_rl/inner_residual"] {
            #expect(o.result.final[key] != nil, "missing \(key)")
        }
    }

    @Test func exactRLRunIsByteReproducible() {
        var c = TheoryConfig()
        c.experiment = .exactRL
        c.sweep.k = [1, 2]
        c.sweep.alpha = [1]
        c.exactRL.innerIterations = 50
        c.exactRL.monteCarloSamples = 100
        let a = TheoryRun.run(c, runId: "t").recorder.log.csv
        let b = TheoryRun.run(c, runId: "t").recorder.log.csv
        #expect(a == b)
    }
}
