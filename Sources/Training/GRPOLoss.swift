import BridgeSupport
import Foundation

/// The GRPO surrogate loss (minus sign included) on a padded batch of rollouts, as pure array functions.
///
/// Per response token t of sequence i (method.md):
///   ρ = exp(logπ_new − logπ_old),  pg = −min(ρA, clip(ρ, 1−ε_low, 1+ε_high)·A),
///   q = clamp(logπ_ref − logπ_new, −20, 20),  k3 = clamp(e^q − q − 1, −10, 10),
///   ℓ = pg + β·k3 − c·H
/// aggregated as token-mean over all response tokens of the batch, or sequence-mean (mean over
/// sequences of each sequence's token mean). The model's backward takes dL/dlogπ_new per token, so
/// the entropy bonus's gradient uses the score-function form ∇H ≈ −logπ(o)·∇logπ(o) on the sampled
/// tokens (dℓ/dlogπ += c·logπ), while the logged entropy is the exact one from the forward pass.
///
/// Off-policy rows (LUFFY's expert traces, `Batch.offPolicy`) replace pg by LUFFY's policy shaping:
///   pg = −f(π)·A,  f(π) = π/(π + γ),  π = exp(logπ_new)  (no ratio to a behaviour policy, no clip),
/// so dpg/dlogπ = −A·γπ/(π + γ)²; k3 and the entropy bonus are as on on-policy tokens.
public enum GRPOLoss {
    /// `rl.aggregation`: how per-token losses are averaged.
    public enum Aggregation: String, ConfigChoice { case tokenMean = "token_mean", sequenceMean = "sequence_mean" }

    public struct Options: Sendable, Equatable {
        public var clipLow: Double = 0.2
        public var clipHigh: Double = 0.2
        public var klBeta: Double = 0.001
        public var entropyCoef: Double = 0
        public var aggregation: Aggregation = .tokenMean
        /// γ of LUFFY's policy shaping f(π) = π/(π + γ) on off-policy rows (paper: 0.1).
        public var offPolicyGamma: Double = 0.1
        public init(clipLow: Double = 0.2, clipHigh: Double = 0.2, klBeta: Double = 0.001, entropyCoef: Double = 0,
                    aggregation: Aggregation = .tokenMean, offPolicyGamma: Double = 0.1) {
            self.clipLow = clipLow; self.clipHigh = clipHigh; self.klBeta = klBeta; self.entropyCoef = entropyCoef
            self.aggregation = aggregation; self.offPolicyGamma = offPolicyGamma
        }
    }

    /// One batch of S sequences × T positions (N = S·T, row-major), every array but `advantages` of length N.
    public struct Batch: Sendable {
        /// log π_new of each position's token (N).
        public var logprobs: [Float]
        /// log π_old (the sampling policy) (N).
        public var oldLogprobs: [Float]
        /// log π_ref (the frozen reference) (N).
        public var refLogprobs: [Float]
        /// Exact entropy of π_new at each position (N), or empty (then −logπ is used as its estimate).
        public var entropy: [Float]
        /// 1 for response tokens that enter the loss, 0 for prompt and padding (N).
        public var mask: [Float]
        /// A_i per sequence (S).
        public var advantages: [Float]
        public var T: Int
        /// Per sequence (S): true for an off-policy (expert) row, shaped instead of clipped; empty = all on-policy.
        public var offPolicy: [Bool]
        public var S: Int { advantages.count }

        public init(logprobs: [Float], oldLogprobs: [Float], refLogprobs: [Float], entropy: [Float] = [], mask: [Float], advantages: [Float], T: Int,
                    offPolicy: [Bool] = []) {
            self.logprobs = logprobs; self.oldLogprobs = oldLogprobs; self.refLogprobs = refLogprobs
            self.entropy = entropy; self.mask = mask; self.advantages = advantages; self.T = T; self.offPolicy = offPolicy
            precondition(logprobs.count == advantages.count * T && oldLogprobs.count == logprobs.count
                         && refLogprobs.count == logprobs.count && mask.count == logprobs.count
                         && (entropy.isEmpty || entropy.count == logprobs.count)
                         && (offPolicy.isEmpty || offPolicy.count == advantages.count), "GRPOLoss.Batch: inconsistent lengths")
        }
    }

    public struct Stats: Sendable, Equatable {
        /// Token-mean (over response tokens) of the policy-gradient term, k3, entropy, and clip indicators.
        public var pgLoss = 0.0, kl = 0.0, entropy = 0.0, clipFracLow = 0.0, clipFracHigh = 0.0
        /// Response tokens in the batch.
        public var tokens = 0
        /// Mean π_new over off-policy response tokens (0 without any), and their count.
        public var offPolicyProb = 0.0
        public var offPolicyTokens = 0
        public var clipFrac: Double { clipFracLow + clipFracHigh }
    }

    public struct Result: Sendable {
        /// The aggregated loss L_RL.
        public var loss: Double
        /// dL/dlogπ_new per position (N); 0 at masked positions.
        public var dlogprobs: [Float]
        public var stats: Stats
    }

    /// Aggregation weight of every position: token_mean mask/Σmask; sequence_mean mask/(len_i·S'),
    /// S' the number of non-empty sequences.
    public static func weights(mask: [Float], S: Int, T: Int, aggregation: Aggregation) -> [Double] {
        var w = [Double](repeating: 0, count: mask.count)
        switch aggregation {
        case .tokenMean:
            let total = mask.reduce(0.0) { $0 + Double($1) }
            if total > 0 { for n in 0..<mask.count { w[n] = Double(mask[n]) / total } }
        case .sequenceMean:
            var lens = [Double](repeating: 0, count: S)
            for s in 0..<S { for t in 0..<T { lens[s] += Double(mask[s * T + t]) } }
            let nonEmpty = Double(lens.filter { $0 > 0 }.count)
            for s in 0..<S where lens[s] > 0 { for t in 0..<T { w[s * T + t] = Double(mask[s * T + t]) / (lens[s] * nonEmpty) } }
        }
        return w
    }

    /// Reference implementation: one loop over positions, Double arithmetic.
    public static func compute(_ b: Batch, options o: Options) -> Result {
        let N = b.logprobs.count
        let weight = weights(mask: b.mask, S: b.S, T: b.T, aggregation: o.aggregation)
        var d = [Float](repeating: 0, count: N)
        var loss = 0.0
        var st = Stats()
        var tokens = 0.0
        var offTokens = 0.0
        for n in 0..<N where b.mask[n] != 0 {
            let a = Double(b.advantages[n / b.T])
            let lp = Double(b.logprobs[n])
            let off = !b.offPolicy.isEmpty && b.offPolicy[n / b.T]
            let ratio = off ? 1 : exp(lp - Double(b.oldLogprobs[n]))
            let clipped = min(max(ratio, 1 - o.clipLow), 1 + o.clipHigh)
            let unclippedLoss = -ratio * a, clippedLoss = -clipped * a
            var pg = max(unclippedLoss, clippedLoss)
            var grad = clippedLoss > unclippedLoss ? 0 : -ratio * a // d(−ρA)/dlp = −ρA
            if off { // pg = −A·π/(π + γ), dpg/dlp = −A·γπ/(π + γ)²
                let p = exp(lp), g = o.offPolicyGamma
                pg = -a * p / (p + g)
                grad = -a * g * p / ((p + g) * (p + g))
                offTokens += Double(b.mask[n]); st.offPolicyProb += Double(b.mask[n]) * p
            }
            let qRaw = Double(b.refLogprobs[n]) - lp
            let q = min(max(qRaw, -20), 20)
            let k3Raw = exp(q) - q - 1
            let k3 = min(max(k3Raw, -10), 10)
            if qRaw >= -20, qRaw <= 20, k3Raw >= -10, k3Raw <= 10 { grad += o.klBeta * (1 - exp(q)) } // dk3/dlp = 1 − e^q
            let h = b.entropy.isEmpty ? -lp : Double(b.entropy[n])
            grad += o.entropyCoef * lp
            let ell = pg + o.klBeta * k3 - o.entropyCoef * h
            loss += weight[n] * ell
            d[n] = Float(weight[n] * grad)
            let m = Double(b.mask[n])
            tokens += m
            st.pgLoss += m * pg; st.kl += m * k3; st.entropy += m * h
            if !off, ratio < 1 - o.clipLow, a < 0 { st.clipFracLow += m }
            if !off, ratio > 1 + o.clipHigh, a > 0 { st.clipFracHigh += m }
        }
        if offTokens > 0 { st.offPolicyProb /= offTokens }
        st.offPolicyTokens = Int(offTokens)
        if tokens > 0 {
            st.pgLoss /= tokens; st.kl /= tokens; st.entropy /= tokens; st.clipFracLow /= tokens; st.clipFracHigh /= tokens
        }
        st.tokens = Int(tokens)
        return Result(loss: loss, dlogprobs: d, stats: st)
    }
}
