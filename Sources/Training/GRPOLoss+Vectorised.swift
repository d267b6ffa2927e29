import Foundation

/// The same GRPO loss written as whole-array operations in Float (the form the trainer uses); a test
/// checks it against the per-position Double loop `GRPOLoss.compute`.
extension GRPOLoss {
    public static func computeVectorised(_ b: Batch, options o: Options) -> Result {
        let N = b.logprobs.count, T = b.T
        let w = weights(mask: b.mask, S: b.S, T: T, aggregation: o.aggregation).map { Float($0) }
        let adv = (0..<N).map { b.advantages[$0 / T] }
        let lo = Float(1 - o.clipLow), hi = Float(1 + o.clipHigh)
        let beta = Float(o.klBeta), c = Float(o.entropyCoef)
        let ratio = zip(b.logprobs, b.oldLogprobs).map { expf($0 - $1) }
        let clipped = ratio.map { min(max($0, lo), hi) }
        let unclippedLoss = zip(ratio, adv).map { -$0 * $1 }
        let clippedLoss = zip(clipped, adv).map { -$0 * $1 }
        var pg = zip(unclippedLoss, clippedLoss).map { max($0, $1) }
        var pgGrad = (0..<N).map { clippedLoss[$0] > unclippedLoss[$0] ? 0 : unclippedLoss[$0] }
        // Off-policy rows (LUFFY): pg = −A·f(π), f(π) = π/(π + γ), no ratio and no clip.
        let off = (0..<N).map { !b.offPolicy.isEmpty && b.offPolicy[$0 / T] }
        let gamma = Float(o.offPolicyGamma)
        let prob = off.contains(true) ? b.logprobs.map { expf($0) } : []
        for n in 0..<N where off[n] {
            pg[n] = -adv[n] * prob[n] / (prob[n] + gamma)
            pgGrad[n] = -adv[n] * gamma * prob[n] / ((prob[n] + gamma) * (prob[n] + gamma))
        }
        let qRaw = zip(b.refLogprobs, b.logprobs).map { $0 - $1 }
        let q = qRaw.map { min(max($0, -20), 20) }
        let k3Raw = q.map { expf($0) - $0 - 1 }
        let k3 = k3Raw.map { min(max($0, -10), 10) }
        let k3Grad = (0..<N).map { (qRaw[$0] >= -20 && qRaw[$0] <= 20 && k3Raw[$0] >= -10 && k3Raw[$0] <= 10) ? 1 - expf(q[$0]) : 0 }
        let h = b.entropy.isEmpty ? b.logprobs.map { -$0 } : b.entropy
        let ell = (0..<N).map { pg[$0] + beta * k3[$0] - c * h[$0] }
        let grad = (0..<N).map { pgGrad[$0] + beta * k3Grad[$0] + c * b.logprobs[$0] }
        let d = (0..<N).map { b.mask[$0] != 0 ? w[$0] * grad[$0] : 0 }
        let loss = (0..<N).reduce(0.0) { b.mask[$1] != 0 ? $0 + Double(w[$1] * ell[$1]) : $0 }
        let tokens = b.mask.reduce(0.0) { $0 + Double($1) }
        func tokenMean(_ x: [Float]) -> Double {
            tokens > 0 ? zip(x, b.mask).reduce(0.0) { $0 + Double($1.0 * $1.1) } / tokens : 0
        }
        var st = Stats()
        st.pgLoss = tokenMean(pg); st.kl = tokenMean(k3); st.entropy = tokenMean(h)
        st.clipFracLow = tokenMean((0..<N).map { !off[$0] && ratio[$0] < lo && adv[$0] < 0 ? 1 : 0 })
        st.clipFracHigh = tokenMean((0..<N).map { !off[$0] && ratio[$0] > hi && adv[$0] > 0 ? 1 : 0 })
        st.tokens = Int(tokens)
        if !prob.isEmpty {
            let offMask = (0..<N).map { off[$0] ? b.mask[$0] : 0 }
            let offTokens = offMask.reduce(0.0) { $0 + Double($1) }
            st.offPolicyTokens = Int(offTokens)
            if offTokens > 0 { st.offPolicyProb = zip(prob, offMask).reduce(0.0) { $0 + Double($1.0 * $1.1) } / offTokens }
        }
        return Result(loss: loss, dlogprobs: d, stats: st)
    }
}
