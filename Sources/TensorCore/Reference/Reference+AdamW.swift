import Foundation

extension Reference {
    /// AdamW in Double, written from the formulas: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
    /// θ ← θ − lr·(m/(1−β₁ᵗ) / (√(v/(1−β₂ᵗ)) + ε) + wd·θ).
    public enum AdamW {
        /// One step t (1-based) over all elements; `decay` false turns weight decay off (biases, norms).
        public static func step(params: inout [Double], grads: [Double], m: inout [Double], v: inout [Double],
                                t: Int, learningRate: Double, beta1: Double, beta2: Double, epsilon: Double,
                                weightDecay: Double, decay: Bool = true) {
            check(grads, params.count, "grads"); check(m, params.count, "m"); check(v, params.count, "v")
            let wd = decay ? weightDecay : 0
            for i in 0..<params.count {
                m[i] = beta1 * m[i] + (1 - beta1) * grads[i]
                v[i] = beta2 * v[i] + (1 - beta2) * grads[i] * grads[i]
                let mhat = m[i] / (1 - Foundation.pow(beta1, Double(t)))
                let vhat = v[i] / (1 - Foundation.pow(beta2, Double(t)))
                params[i] = params[i] - learningRate * (mhat / (vhat.squareRoot() + epsilon) + wd * params[i])
            }
        }
    }

    /// Global gradient-norm clipping: if ‖g‖ = √(Σ over all buffers g²) > maxNorm, scale all by maxNorm/‖g‖.
    public enum GradClip {
        /// √Σ g² over every element of every buffer.
        public static func globalNorm(_ buffers: [[Double]]) -> Double {
            var s = 0.0
            for buffer in buffers { for g in buffer { s += g * g } }
            return s.squareRoot()
        }

        /// Clips in place and returns the norm before clipping; maxNorm ≤ 0 disables clipping.
        @discardableResult
        public static func clip(_ buffers: inout [[Double]], maxNorm: Double) -> Double {
            let norm = globalNorm(buffers)
            if maxNorm > 0 && norm > maxNorm {
                for k in 0..<buffers.count { buffers[k] = buffers[k].map { $0 * maxNorm / norm } }
            }
            return norm
        }
    }
}
