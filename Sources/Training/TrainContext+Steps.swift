import Foundation

/// The two update kinds every baseline is made of: one SFT update and one GRPO update.
extension TrainContext {
    /// One SFT update on the batch of update k, training θ and/or w.
    public func sftStep(_ k: Int, theta: Bool, w: Bool) throws -> [(String, Double)] {
        let batch = sftBatch(step: k)
        let loss = sftGradient(batch, theta: theta, w: w)
        try guardFinite(loss, "sft/loss", update: k)
        var m: [(String, Double)] = [(Metric.sftLoss, loss), (Metric.stageRL, 0)]
        let lr = config.optimTheta.learningRate(atUpdate: optTheta.t)
        let nt = theta ? try stepTheta(update: k) : 0
        let nw = w ? try stepW(update: k) : 0
        m += [(Metric.lr, lr), (Metric.gradNorm, nt), (Metric.gradNormWOptim, nw)]
        return m
    }

    /// One GRPO update (rl.ppo_epochs × rl.minibatches optimiser steps) on fresh rollouts of update k.
    public func rlStep(_ k: Int, theta: Bool, w: Bool) throws -> [(String, Double)] {
        var ro = sampleRollouts(step: k)
        let rl = config.rl, mb = rl.minibatches, size = ro.S / mb
        if rl.ppoEpochs > 1 || mb > 1 { recordOldLogprobs(&ro) }
        var acc = GRPOLoss.Stats(), loss = 0.0, nt = 0.0, nw = 0.0, count = 0.0
        let lr = config.optimTheta.learningRate(atUpdate: optTheta.t)
        for _ in 0..<rl.ppoEpochs {
            for j in 0..<mb {
                let res = rlGradient(&ro, rows: (j * size)..<((j + 1) * size), theta: theta, w: w)
                try guardFinite(res.loss, "rl/loss", update: k)
                if theta { nt = try stepTheta(update: k) }
                if w { nw = try stepW(update: k) }
                loss += res.loss; count += 1
                acc.kl += res.stats.kl; acc.entropy += res.stats.entropy
                acc.clipFracLow += res.stats.clipFracLow; acc.clipFracHigh += res.stats.clipFracHigh
            }
        }
        var stats = acc
        stats.kl /= count; stats.entropy /= count; stats.clipFracLow /= count; stats.clipFracHigh /= count
        return rlMetrics(ro, loss: loss / count, stats: stats) + [(Metric.stageRL, 1), (Metric.lr, lr), (Metric.gradNorm, nt), (Metric.gradNormWOptim, nw)]
    }

    /// rl/ metrics of a batch (reward statistics over all rows, GRPO stats averaged over updates).
    public func rlMetrics(_ ro: Rollouts, loss: Double, stats: GRPOLoss.Stats) -> [(String, Double)] {
        let n = Double(ro.S)
        let mean = ro.rewards.reduce(0, +) / n
        let std = (ro.rewards.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
        let length = Double(ro.batch.responseLengths.reduce(0, +)) / n
        return [(Metric.rewardMean, mean), (Metric.rewardStd, std), (Metric.fracZeroStd, ro.advantages.fractionZeroStd),
                (Metric.rlLoss, loss), (Metric.kl, stats.kl), (Metric.entropy, stats.entropy),
                (Metric.clipFrac, stats.clipFrac), (Metric.clipFracLow, stats.clipFracLow), (Metric.clipFracHigh, stats.clipFracHigh),
                (Metric.responseLength, length)]
    }
}
