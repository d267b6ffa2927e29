import Foundation
import Testing
import TensorCore
import Training

/// The worst disagreement between GRPOLoss's dL/dlogπ and central differences of its loss (h = 1e-3) on
/// the batch's response tokens, counting only those beyond 1e-4 + 1e-2·|fd|; (0, "") when all agree.
func worstGRPOGradientMismatch(_ b: GRPOLoss.Batch, options o: GRPOLoss.Options) -> (err: Double, what: String) {
    var worst = (err: 0.0, what: "")
    let g = GRPOLoss.compute(b, options: o).dlogprobs
    for n in 0..<b.logprobs.count where b.mask[n] != 0 {
        let h: Float = 1e-3
        var p = b, m = b
        p.logprobs[n] += h; m.logprobs[n] -= h
        let fd = (GRPOLoss.compute(p, options: o).loss - GRPOLoss.compute(m, options: o).loss) / Double(2 * h)
        let err = abs(fd - Double(g[n]))
        if err > 1e-4 + 1e-2 * abs(fd), err > worst.err { worst = (err, "n \(n): analytic \(g[n]) fd \(fd)") }
    }
    return worst
}

/// A random padded rollout batch: S sequences × T, response masks of random length, ratios away from 1.
func randomGRPOBatch(seed: UInt64, S: Int = 6, T: Int = 9, ratioSpread: Double = 0.4, klSpread: Double = 1) -> GRPOLoss.Batch {
    var rng = RNG(seed: seed)
    let N = S * T
    var lp = [Float](repeating: 0, count: N), old = lp, ref = lp, ent = lp, mask = lp
    for s in 0..<S {
        let start = rng.int(in: 1...3), len = rng.int(in: 1...(T - start))
        for t in 0..<T {
            let n = s * T + t
            lp[n] = Float(-0.1 - 2 * rng.uniform())
            old[n] = lp[n] + Float(ratioSpread * (rng.uniform() - 0.5))
            ref[n] = lp[n] + Float(klSpread * rng.normal())
            ent[n] = Float(0.5 + rng.uniform())
            mask[n] = (t >= start && t < start + len) ? 1 : 0
        }
    }
    let adv = (0..<S).map { _ in Float(rng.normal()) }
    return GRPOLoss.Batch(logprobs: lp, oldLogprobs: old, refLogprobs: ref, entropy: ent, mask: mask, advantages: adv, T: T)
}

@Suite struct GRPOLossTests {
    static let optionSets: [GRPOLoss.Options] = [
        GRPOLoss.Options(),
        GRPOLoss.Options(clipLow: 0.1, clipHigh: 0.28, klBeta: 0.05, entropyCoef: 0.01, aggregation: .sequenceMean),
        GRPOLoss.Options(clipLow: 0.2, clipHigh: 0.2, klBeta: 1, entropyCoef: 0, aggregation: .tokenMean),
    ]

    @Test func loopAndVectorisedAgree() {
        var worst = (diff: 0.0, what: "")
        for seed in UInt64(1)...20 {
            for (oi, o) in Self.optionSets.enumerated() {
                // klSpread 12 pushes some q beyond the k3 clamp (|k3| > 10).
                let b = randomGRPOBatch(seed: seed, klSpread: seed % 2 == 0 ? 12 : 1)
                let a = GRPOLoss.compute(b, options: o), v = GRPOLoss.computeVectorised(b, options: o)
                func check(_ x: Double, _ y: Double, _ name: String) {
                    let d = abs(x - y) / max(1, abs(x))
                    if d > worst.diff { worst = (d, "\(name) seed \(seed) options \(oi): loop \(x) vs vectorised \(y)") }
                }
                check(a.loss, v.loss, "loss")
                for n in 0..<a.dlogprobs.count { check(Double(a.dlogprobs[n]), Double(v.dlogprobs[n]), "dlogprob[\(n)]") }
                check(a.stats.kl, v.stats.kl, "kl"); check(a.stats.entropy, v.stats.entropy, "entropy")
                check(a.stats.clipFracLow, v.stats.clipFracLow, "clip_low"); check(a.stats.clipFracHigh, v.stats.clipFracHigh, "clip_high")
                check(a.stats.pgLoss, v.stats.pgLoss, "pg")
            }
        }
        #expect(worst.diff < 2e-5, "worst relative difference \(worst.diff) at \(worst.what)")
    }

    /// dL/dlogπ (without the entropy bonus, whose gradient is a score-function estimate by design)
    /// equals central differences of the loop loss.
    @Test func gradientMatchesFiniteDifferences() {
        var worst = (err: 0.0, what: "")
        for seed in UInt64(1)...5 {
            for o0 in Self.optionSets {
                var o = o0; o.entropyCoef = 0
                let w = worstGRPOGradientMismatch(randomGRPOBatch(seed: seed + 100), options: o)
                if w.err > worst.err { worst = (w.err, "seed \(seed) \(w.what)") }
            }
        }
        #expect(worst.err == 0, "worst gradient mismatch \(worst.what)")
    }

    /// At ρ = 1 with β = c = 0 the token-mean gradient is −A_i / Σmask on every response token.
    @Test func onPolicyGradientIsMinusAdvantageOverTokens() {
        var b = randomGRPOBatch(seed: 7)
        b.oldLogprobs = b.logprobs
        let r = GRPOLoss.compute(b, options: GRPOLoss.Options(klBeta: 0))
        let tokens = b.mask.reduce(0, +)
        for n in 0..<b.mask.count {
            let expected = b.mask[n] * -b.advantages[n / b.T] / tokens
            #expect(abs(r.dlogprobs[n] - expected) <= 1e-6 * max(1, abs(expected)), "position \(n): \(r.dlogprobs[n]) vs \(expected)")
        }
        #expect(r.stats.clipFrac == 0)
    }

    @Test func clipFractionsCountActiveClips() {
        // Two sequences, one token each: ρ = e^0.5 with A > 0 (high clip), ρ = e^−0.5 with A < 0 (low clip).
        let b = GRPOLoss.Batch(logprobs: [-1, -1], oldLogprobs: [-1.5, -0.5], refLogprobs: [-1, -1], mask: [1, 1], advantages: [1, -1], T: 1)
        let r = GRPOLoss.compute(b, options: GRPOLoss.Options(klBeta: 0))
        #expect(r.stats.clipFracHigh == 0.5 && r.stats.clipFracLow == 0.5)
        #expect(r.dlogprobs == [0, 0], "clipped tokens carry no gradient, got \(r.dlogprobs)")
    }
}

@Suite struct AdvantageTests {
    @Test func zeroVarianceGroupGivesZeroAdvantage() {
        let r = Advantages.groupNormalized(rewards: [1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0], groupSize: 4)
        #expect(Array(r.advantages[0..<4]) == [0, 0, 0, 0])
        #expect(Array(r.advantages[8..<12]) == [0, 0, 0, 0])
        #expect(r.zeroStdGroups == 2 && r.groups == 3 && abs(r.fractionZeroStd - 2.0 / 3) < 1e-15)
        // Middle group [0, 1, 0, 0]: mean 0.25, sample std 0.5.
        let a4 = Double(r.advantages[4]), a5 = Double(r.advantages[5])
        #expect(abs(a4 + 0.25 / (0.5 + 1e-6)) < 1e-6 && abs(a5 - 0.75 / (0.5 + 1e-6)) < 1e-6, "A = \(a4), \(a5)")
        #expect(abs(r.advantages[4...7].reduce(0, +)) < 1e-6, "advantages of a group sum to zero")
    }

    @Test func noStdNormalisationCentresOnly() {
        let r = Advantages.groupNormalized(rewards: [1, 0, 0, 0], groupSize: 4, stdNormalize: false)
        #expect(r.advantages == [0.75, -0.25, -0.25, -0.25])
    }
}
