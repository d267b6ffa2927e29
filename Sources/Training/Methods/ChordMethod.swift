import Foundation

/// `chord`: CHORD (arXiv 2508.11408), one loss on all parameters θ and w per update:
///   L = (1 − μ_k)·L_GRPO(rollouts) + μ_k·L_SFT^φ(SFT batch)
/// with a global schedule μ_k (`ChordSchedule`) and, in CHORD-φ, the token weight φ(p) = p(1 − p) on
/// expert tokens (`ChordLoss`). The SFT batch comes from the SFT set, as Trinity-RFT's expert buffer; the
/// rollouts are GRPO's. An update with μ_k = 0 draws no SFT batch and one with μ_k = 1 no rollouts, so
/// μ ≡ 0 is rl_zero's update and μ ≡ 1 (variant mu) sft's (tested, ChordTests).
public final class ChordMethod: TrainingMethod {
    public let name = "chord"
    public init() {}
    public func start(_ ctx: TrainContext) throws { ctx.freezeReference() }

    public func step(_ k: Int, _ ctx: TrainContext) throws -> [(String, Double)] {
        let cfg = ctx.config.chord
        let mu = ChordSchedule(cfg, runSteps: ctx.config.run.steps).value(atStep: k)
        let useSFT = mu > 0, useRL = mu < 1
        var m: [(String, Double)] = []
        if useRL {
            var ro = ctx.sampleRollouts(step: k)
            let rl = ctx.rlGradient(&ro, scale: Float(1 - mu), theta: true, w: ctx.trainsW)
            try ctx.guardFinite(rl.loss, "rl/loss", update: k)
            m += ctx.rlMetrics(ro, loss: rl.loss, stats: rl.stats)
        }
        var nll = 0.0, term = 0.0, phiMean = 0.0
        if useSFT {
            ctx.sftGradient(ctx.sftBatch(step: k), scale: Float(mu), theta: true, w: ctx.trainsW) { lp, mask, scale in
                let plain = SFTLoss.compute(logprobs: lp, mask: mask, scale: scale)
                let phi = ChordLoss.phiWeighted(logprobs: lp, mask: mask, scale: scale)
                nll = plain.loss; phiMean = phi.phiMean
                term = cfg.variant == .phi ? phi.loss : plain.loss
                return cfg.variant == .phi ? (phi.loss, phi.dlogprobs) : plain
            }
            try ctx.guardFinite(nll, "sft/loss", update: k)
            m.append((Metric.sftLoss, nll))
        }
        let lr = ctx.config.optimTheta.learningRate(atUpdate: ctx.optTheta.t)
        let nt = try ctx.stepTheta(update: k), nw = ctx.trainsW ? try ctx.stepW(update: k) : 0
        m += [(Metric.stageRL, useRL ? 1 : 0), (Metric.lr, lr), (Metric.gradNorm, nt), (Metric.gradNormWOptim, nw), (Metric.chordMu, mu)]
        if useSFT { m += [(Metric.chordSFTTerm, term), (Metric.chordPhiMean, phiMean)] }
        return m
    }
}

/// μ_k of CHORD (Trinity-RFT's mix_chord schedule): linear warm-up from 0 to μ_peak over W updates, cosine
/// decay from μ_peak to μ_valley over D updates, then μ_valley:
///   k < W: μ_peak·k/W;  W ≤ k < W + D: μ_valley + (μ_peak − μ_valley)·(1 + cos(π(k − W)/D))/2;  else μ_valley.
public struct ChordSchedule: Sendable, Equatable {
    public let peak: Double, valley: Double, warmup: Int, decay: Int

    /// Resolves the variant's defaults (−1) and D = −1 to the rest of the run.
    public init(_ c: ChordSection, runSteps: Int) {
        peak = c.muPeak < 0 ? c.variant.defaultPeak : c.muPeak
        valley = c.muValley < 0 ? c.variant.defaultValley : c.muValley
        warmup = c.muWarmupSteps
        decay = c.muDecaySteps < 0 ? max(runSteps - c.muWarmupSteps, 0) : c.muDecaySteps
    }

    public func value(atStep k: Int) -> Double {
        if k < warmup { return peak * Double(k) / Double(warmup) }
        if k >= warmup + decay { return valley }
        return valley + (peak - valley) * (1 + cos(Double.pi * Double(k - warmup) / Double(decay))) / 2
    }
}

/// CHORD-φ's SFT term on a batch of expert tokens (N positions, mask 1 on expert tokens):
///   L = Σ m·φ(p)·(−log p) / Σ m,  φ(p) = p(1 − p),  p = exp(log p),
/// with φ a weight that carries no gradient (Trinity-RFT detaches it): dL/dlog p = −m·φ(p)/Σ m.
/// φ is largest at p = 1/2 and vanishes at p → 0 (tokens far from the policy, which would disrupt it)
/// and p → 1 (tokens already learnt).
public enum ChordLoss {
    public static func phiWeighted(logprobs: [Float], mask: [Float], scale: Float = 1) -> (loss: Double, dlogprobs: [Float], phiMean: Double) {
        precondition(logprobs.count == mask.count, "ChordLoss: logprobs and mask differ in length")
        let tokens = mask.reduce(0.0) { $0 + Double($1) }
        var d = [Float](repeating: 0, count: logprobs.count)
        guard tokens > 0 else { return (0, d, 0) }
        var loss = 0.0, phiSum = 0.0
        for n in 0..<logprobs.count where mask[n] != 0 {
            let lp = Double(logprobs[n]), p = exp(lp), phi = p * (1 - p), m = Double(mask[n])
            loss += m * phi * -lp
            phiSum += m * phi
            d[n] = Float(-m * phi / tokens * Double(scale))
        }
        return (loss / tokens, d, phiSum / tokens)
    }
}
