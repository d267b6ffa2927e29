import Foundation

extension Reference {
    /// Log-probability of the chosen token under softmax(logits): logprob[n] = l[n,t] − log Σᵢ exp l[n,i].
    public enum TokenLogProb {
        /// Returns logprobs (N), probs (N,V) and entropy −Σ p log p (N); logits (N,V);
        /// targets (N), a negative target marks an ignored position (logprob 0).
        public static func forward(logits: [Double], targets: [Int32], N: Int, V: Int)
            -> (logprobs: [Double], probs: [Double], entropy: [Double]) {
            check(logits, N * V, "logits")
            precondition(targets.count == N, "targets has \(targets.count) elements, expected \(N)")
            var logprobs = [Double](repeating: 0, count: N)
            var probs = [Double](repeating: 0, count: N * V)
            var entropy = [Double](repeating: 0, count: N)
            for n in 0..<N {
                let lse = logSumExp(logits, row: n, V: V)
                for i in 0..<V {
                    let logp = logits[n * V + i] - lse
                    probs[n * V + i] = Foundation.exp(logp)
                    entropy[n] -= probs[n * V + i] * logp
                }
                let t = Int(targets[n])
                if t >= 0 { logprobs[n] = logits[n * V + t] - lse }
            }
            return (logprobs, probs, entropy)
        }

        /// dlogits (N,V) += dlogprobs[n] · ∂logprob[n]/∂logits[n,i] = dlogprobs[n] · (δᵢₜ − pᵢ);
        /// ignored positions (negative target) get nothing. logits (N,V); targets, dlogprobs (N).
        public static func backward(dlogits: inout [Double], dlogprobs: [Double], logits: [Double],
                                    targets: [Int32], N: Int, V: Int) {
            for n in 0..<N {
                let t = Int(targets[n])
                if t < 0 { continue }
                let lse = logSumExp(logits, row: n, V: V)
                for i in 0..<V {
                    let p = Foundation.exp(logits[n * V + i] - lse)
                    dlogits[n * V + i] += dlogprobs[n] * ((i == t ? 1 : 0) - p)
                }
            }
        }

        static func logSumExp(_ logits: [Double], row n: Int, V: Int) -> Double {
            var m = -Double.infinity
            for i in 0..<V { m = max(m, logits[n * V + i]) }
            var z = 0.0
            for i in 0..<V { z += Foundation.exp(logits[n * V + i] - m) }
            return m + Foundation.log(z)
        }
    }

    /// Masked mean negative log-likelihood: loss = −Σ mask·logprob / Σ mask (0 when Σ mask = 0).
    public enum MaskedNLL {
        /// Returns the loss; logprobs, mask (N).
        public static func forward(logprobs: [Double], mask: [Double]) -> Double {
            check(mask, logprobs.count, "mask")
            let count = mask.reduce(0, +)
            guard count > 0 else { return 0 }
            var s = 0.0
            for n in 0..<logprobs.count { s += mask[n] * logprobs[n] }
            return -s / count
        }

        /// dlogprobs (N) += scale · ∂loss/∂logprobs = −scale · mask / Σ mask.
        public static func backward(dlogprobs: inout [Double], mask: [Double], scale: Double = 1) {
            let count = mask.reduce(0, +)
            guard count > 0 else { return }
            for n in 0..<mask.count { dlogprobs[n] += -scale * mask[n] / count }
        }
    }
}
