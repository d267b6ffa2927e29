import Foundation
import Testing
import TensorCore
import Training

/// CHORD (ChordMethod): the μ schedule, the φ-weighted SFT term against a loop reference and central
/// differences, the fused gradient through the model, and the limits μ = 0 (rl_zero) and μ = 1 (sft).
@Suite(.serialized) struct ChordTests {
    @Test func scheduleWarmsUpToThePeakAndDecaysToTheValley() {
        var c = ChordSection()
        c.muPeak = 0.5; c.muValley = 0.02; c.muWarmupSteps = 2; c.muDecaySteps = 4
        let s = ChordSchedule(c, runSteps: 100)
        let expected = [0, 0.25, 0.5, 0.02 + 0.48 * (1 + cos(Double.pi / 4)) / 2, 0.26, 0.02 + 0.48 * (1 + cos(3 * Double.pi / 4)) / 2, 0.02, 0.02]
        for (k, e) in expected.enumerated() { #expect(abs(s.value(atStep: k) - e) < 1e-12, "μ_\(k) = \(s.value(atStep: k)), expected \(e)") }
        // Variant defaults: CHORD-φ constant 0.1; CHORD-μ from 0.9 to 0.05 over the whole run (mu_decay_steps −1).
        let phi = ChordSchedule(ChordSection(), runSteps: 10)
        #expect((0..<12).allSatisfy { phi.value(atStep: $0) == 0.1 })
        var m = ChordSection(); m.variant = .mu
        let mu = ChordSchedule(m, runSteps: 10)
        #expect(mu.value(atStep: 0) == 0.9 && abs(mu.value(atStep: 5) - 0.475) < 1e-12 && mu.value(atStep: 10) == 0.05)
    }

    /// A random batch of expert tokens: log-probs spread over (−6, 0) so that φ(p) covers its whole range.
    static func randomSFTBatch(seed: UInt64, N: Int = 60) -> (logprobs: [Float], mask: [Float]) {
        var rng = RNG(seed: seed)
        let lp = (0..<N).map { _ in Float(-6 * rng.uniform() * rng.uniform()) }
        let mask = (0..<N).map { _ in Float(rng.uniform() < 0.7 ? 1 : 0) }
        return (lp, mask)
    }

    /// L = Σ φ(p)(−log p)/Σ m and dL/dlog p = −φ(p)/Σ m (φ frozen) on 20 random batches, against a
    /// per-token loop written from the paper's formula (Double; rtol 1e-5 for the Float gradients).
    @Test func phiTermMatchesLoopReference() {
        for seed in UInt64(1)...20 {
            let (lp, mask) = Self.randomSFTBatch(seed: seed)
            let scale: Float = seed % 2 == 0 ? 1 : 0.3
            let r = ChordLoss.phiWeighted(logprobs: lp, mask: mask, scale: scale)
            var num = 0.0, den = 0.0, phis = 0.0
            for n in lp.indices where mask[n] == 1 {
                let p = exp(Double(lp[n]))
                num += p * (1 - p) * -Double(lp[n]); phis += p * (1 - p); den += 1
            }
            #expect(abs(r.loss - num / den) < 1e-12 * max(1, num / den) && abs(r.phiMean - phis / den) < 1e-12)
            for n in lp.indices {
                let p = exp(Double(lp[n]))
                let expected = mask[n] == 1 ? -p * (1 - p) / den * Double(scale) : 0
                #expect(abs(Double(r.dlogprobs[n]) - expected) <= 1e-5 * max(abs(expected), 1e-6), "seed \(seed) n \(n)")
            }
        }
    }

    /// The gradient is that of the surrogate with φ held at its current value (no gradient through φ, as
    /// Trinity-RFT's detach): central differences of L_h(x) = Σ φ(p_0)(−x)/Σ m at x = log p_0 ± h.
    @Test func phiGradientMatchesCentralDifferencesOfTheFrozenWeightSurrogate() {
        for seed in UInt64(30)...34 {
            let (lp, mask) = Self.randomSFTBatch(seed: seed)
            let d = ChordLoss.phiWeighted(logprobs: lp, mask: mask).dlogprobs
            let phi = lp.map { Double(exp($0)) * (1 - Double(exp($0))) }
            let den = Double(mask.reduce(0, +))
            func surrogate(_ x: [Double]) -> Double { x.indices.reduce(0.0) { $0 + Double(mask[$1]) * phi[$1] * -x[$1] } / den }
            for n in lp.indices where mask[n] == 1 {
                let h = 1e-4
                var plus = lp.map(Double.init), minus = plus
                plus[n] += h; minus[n] -= h
                let fd = (surrogate(plus) - surrogate(minus)) / (2 * h)
                #expect(abs(fd - Double(d[n])) <= 1e-6 + 1e-4 * abs(fd), "seed \(seed) n \(n): analytic \(d[n]) fd \(fd)")
            }
        }
    }

    /// Through the tiny model: the θ-gradient CHORD accumulates, (1 − μ)∇L_GRPO + μ∇L_SFT (variant mu, so
    /// no frozen weight), equals central differences of (1 − μ)L_GRPO(θ) + μL_SFT(θ) along random
    /// directions, π_old and the advantages held fixed (rel 2e-2: Float32 losses, h = 2e-2).
    @Test func fusedGradientMatchesCentralDifferences() throws {
        let ctx = try TinyRun.context(try TinyRun.config("chord", ["chord.variant=mu"]))
        try ChordMethod().start(ctx)
        let model = ctx.model
        var rng = RNG(seed: 5)
        var ro = ctx.sampleRollouts(step: 0)
        ro.advantages.advantages = (0..<ro.S).map { _ in Float(rng.normal()) }
        ctx.recordOldLogprobs(&ro)
        let sft = ctx.sftBatch(step: 0)
        let mu = 0.3
        model.zeroGradients()
        ctx.rlGradient(&ro, scale: Float(1 - mu), theta: true, w: false)
        ctx.sftGradient(sft, scale: Float(mu), theta: true, w: false)
        let g = model.gradTheta.storage
        model.zeroGradients()
        let theta0 = model.theta.storage
        func objective(_ s: Double, _ d: [Double]) -> Double {
            model.theta.storage = zip(theta0, d).map { $0 + Float(s * $1) }
            return (1 - mu) * ctx.rlGradient(&ro, theta: false, w: false).loss + mu * ctx.sftLoss(sft)
        }
        var worst = (rel: 0.0, what: "")
        for dir in 0..<3 {
            var d = (0..<theta0.count).map { _ in rng.normal() }
            let norm = d.reduce(0) { $0 + $1 * $1 }.squareRoot()
            d = d.map { $0 / norm }
            let analytic = zip(g, d).reduce(0.0) { $0 + Double($1.0) * $1.1 }
            let h = 2e-2
            let fd = (objective(h, d) - objective(-h, d)) / (2 * h)
            let rel = abs(fd - analytic) / max(abs(analytic), 1e-3)
            if rel > worst.rel { worst = (rel, "direction \(dir): analytic \(analytic) fd \(fd)") }
        }
        model.theta.storage = theta0
        #expect(worst.rel < 2e-2, "worst relative error \(worst.rel) at \(worst.what)")
    }

    /// μ ≡ 0: no SFT batch, and the GRPO gradient at scale 1: CHORD equals rl_zero on every metric rl_zero
    /// logs (4 updates, 3 evaluations). Reward noise gives the random model's groups reward variance.
    @Test func muZeroRunEqualsRLZero() throws {
        let common = ["run.steps=4", "data.reward_noise=0.3"]
        let (r1, rl) = try TinyRun.run(try TinyRun.config("rl_zero", common), dir: "chord-limit-rl")
        let (r2, ch) = try TinyRun.run(try TinyRun.config("chord", common + ["chord.mu_peak=0", "chord.mu_valley=0"]), dir: "chord-limit-0")
        #expect(r1.status == .finished && r2.status == .finished)
        let (a, b) = BridgeLimitTests.shared(rl, ch)
        #expect(a.count > 40 && a.contains { $0.contains(",4,rl/loss,") }, "rl_zero logs 4 updates (\(a.count) rows)")
        #expect(a == b, "rows differ; first: \(zip(a, b).first { $0.0 != $0.1 }.map { "\($0.0) vs \($0.1)" } ?? "count \(a.count) vs \(b.count)")")
        #expect(!ch.contains(",sft/loss,"), "μ = 0 draws no SFT batch")
    }

    /// μ ≡ 1 with the plain SFT loss (variant mu): no rollouts, the SFT gradient at scale 1: CHORD equals sft
    /// on every metric sft logs (4 updates, 3 evaluations).
    @Test func muOneRunEqualsSFT() throws {
        let (r1, sft) = try TinyRun.run(try TinyRun.config("sft", ["run.steps=4"]), dir: "chord-limit-sft")
        let (r2, ch) = try TinyRun.run(try TinyRun.config("chord", ["run.steps=4", "chord.variant=mu", "chord.mu_peak=1", "chord.mu_valley=1"]),
                                      dir: "chord-limit-1")
        #expect(r1.status == .finished && r2.status == .finished)
        let (a, b) = BridgeLimitTests.shared(sft, ch)
        #expect(a.count > 30 && a.contains { $0.contains(",4,sft/loss,") }, "sft logs 4 updates (\(a.count) rows)")
        #expect(a == b, "rows differ; first: \(zip(a, b).first { $0.0 != $0.1 }.map { "\($0.0) vs \($0.1)" } ?? "count \(a.count) vs \(b.count)")")
        #expect(!ch.contains("rl/"), "μ = 1 samples no rollouts")
    }

    @Test func defaultStepLogsMuAndPhi() throws {
        let ctx = try TinyRun.context(try TinyRun.config("chord"))
        let m = ChordMethod()
        try m.start(ctx)
        let rows = try m.step(0, ctx)
        let value = { (name: String) in rows.first { $0.0 == name }?.1 }
        #expect(value(Metric.chordMu) == 0.1 && value(Metric.stageRL) == 1)
        let phi = try #require(value(Metric.chordPhiMean)), term = try #require(value(Metric.chordSFTTerm))
        let nll = try #require(value(Metric.sftLoss))
        #expect(phi > 0 && phi <= 0.25 && term > 0 && term < nll, "φ ≤ 1/4 weighs the NLL down")
    }

    @Test func unsupportedOptionsAreRefused() throws {
        for (key, value) in [("rl.ppo_epochs", "2"), ("rl.minibatches", "2"), ("chord.mu_peak", "1.5")] {
            let message: String
            do { _ = try TinyRun.config("chord", ["\(key)=\(value)"]); message = "" } catch { message = "\(error)" }
            #expect(message.contains(key), "\(key)=\(value): \(message)")
        }
    }
}
