import Foundation

/// AdamW (Loshchilov & Hutter): Adam with bias correction and weight decay decoupled from the gradient.
/// θ ← θ − lr·(m̂ / (√v̂ + ε) + wd·θ), m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
public struct AdamWConfig: Codable, Sendable, Equatable {
    /// Learning rate α.
    public var learningRate: Double = 1e-3
    /// β₁: first-moment decay (PyTorch default 0.9).
    public var beta1: Double = 0.9
    /// β₂: second-moment decay (nanoGPT uses 0.95 for small models; PyTorch default 0.999).
    public var beta2: Double = 0.95
    /// ε added to √v̂ (PyTorch default 1e-8).
    public var epsilon: Double = 1e-8
    /// Decoupled weight decay coefficient.
    public var weightDecay: Double = 0.0

    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.95, epsilon: Double = 1e-8, weightDecay: Double = 0) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
    }

    enum CodingKeys: String, CodingKey {
        case learningRate = "lr", beta1, beta2, epsilon = "eps", weightDecay = "weight_decay"
    }
}

public enum AdamW {
    /// One update of `count` parameters at step t (1-based). m, v (count) are the moment buffers.
    /// `learningRate` overrides the config's (schedules); weight decay applies where `decay` is true.
    public static func update(params: FloatPointer, grads: ConstFloatPointer, m: FloatPointer, v: FloatPointer,
                              count: Int, step t: Int, config: AdamWConfig, learningRate: Double? = nil,
                              decay: Bool = true) {
        let lr = Float(learningRate ?? config.learningRate)
        let b1 = Float(config.beta1), b2 = Float(config.beta2), eps = Float(config.epsilon)
        let wd = decay ? Float(config.weightDecay) : 0
        let c1 = Float(1 - Foundation.pow(config.beta1, Double(t)))
        let c2 = Float(1 - Foundation.pow(config.beta2, Double(t)))
        // 8 lanes at a time with exactly the scalar loop's operations (same bits); LLVM leaves the
        // scalar loop unvectorised (four possibly aliasing pointers), and its divisions and square root
        // then dominate.
        var i = 0
        while i + 8 <= count {
            let g = FastMath.load8(grads + i)
            let mi = b1 * FastMath.load8(m + i) + (1 - b1) * g
            let vi = b2 * FastMath.load8(v + i) + (1 - b2) * g * g
            FastMath.store8(mi, m + i)
            FastMath.store8(vi, v + i)
            let mhat = mi / c1, vhat = vi / c2
            let p = FastMath.load8(params + i)
            FastMath.store8(p - lr * (mhat / (vhat.squareRoot() + eps) + wd * p), params + i)
            i += 8
        }
        for i in i..<count {
            let g = grads[i]
            let mi = b1 * m[i] + (1 - b1) * g
            let vi = b2 * v[i] + (1 - b2) * g * g
            m[i] = mi
            v[i] = vi
            let mhat = mi / c1, vhat = vi / c2
            params[i] -= lr * (mhat / (vhat.squareRoot() + eps) + wd * params[i])
        }
    }
}

/// Global gradient-norm clipping over several buffers (θ and w are clipped separately by callers).
public enum GradClip {
    /// √Σ g² over all buffers, accumulated in Double.
    public static func globalNorm(_ buffers: [(ConstFloatPointer, Int)]) -> Double {
        var s = 0.0
        for (p, n) in buffers { for i in 0..<n { s += Double(p[i]) * Double(p[i]) } }
        return s.squareRoot()
    }

    /// Scales every buffer by maxNorm / norm when norm > maxNorm; returns the norm before clipping.
    /// A maxNorm ≤ 0 disables clipping.
    @discardableResult
    public static func clip(_ buffers: [(FloatPointer, Int)], maxNorm: Double) -> Double {
        let norm = globalNorm(buffers.map { (ConstFloatPointer($0.0), $0.1) })
        if maxNorm > 0, norm > maxNorm, norm.isFinite {
            let s = Float(maxNorm / norm)
            for (p, n) in buffers { for i in 0..<n { p[i] *= s } }
        }
        return norm
    }
}
