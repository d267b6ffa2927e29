import Foundation

/// Log-probabilities of chosen tokens: logprob[n] = log softmax(logits[n,:])[target[n]].
/// Shared by SFT (loss = −masked mean of logprob) and RL (ratios, KL): the loss-specific part lives in
/// the caller's upstream gradient dlogprob.
public enum TokenLogProb {
    /// logprobs (N); probs (N,V) saved softmax; entropy (N) optional: −Σ p log p;
    /// logits (N,V); targets (N), a negative target gives logprob 0 (ignored position).
    public static func forward(logprobs: FloatPointer, probs: FloatPointer, entropy: FloatPointer?,
                               logits: ConstFloatPointer, targets: UnsafePointer<Int32>, N: Int, V: Int) {
        for n in 0..<N {
            let l = logits + n * V, p = probs + n * V
            var m = l[0]
            for i in 1..<V where l[i] > m { m = l[i] }
            var sum: Float = 0
            for i in 0..<V { let e = expf(l[i] - m); p[i] = e; sum += e }
            let inv = 1 / sum
            for i in 0..<V { p[i] *= inv }
            let logSum = logf(sum) + m
            let t = Int(targets[n])
            logprobs[n] = t >= 0 ? l[t] - logSum : 0
            if let entropy {
                var h: Float = 0
                for i in 0..<V where p[i] > 0 { h -= p[i] * (l[i] - logSum) }
                entropy[n] = h
            }
        }
    }

    /// dlogits (N,V) += dlogprob[n] · (onehot(target[n]) − probs[n,:]).
    public static func backward(dlogits: FloatPointer, dlogprobs: ConstFloatPointer, probs: ConstFloatPointer,
                                targets: UnsafePointer<Int32>, N: Int, V: Int) {
        for n in 0..<N {
            let g = dlogprobs[n]
            let t = Int(targets[n])
            if g == 0 || t < 0 { continue }
            let d = dlogits + n * V, p = probs + n * V
            for i in 0..<V { d[i] -= g * p[i] }
            d[t] += g
        }
    }
}

/// Masked mean negative log-likelihood: loss = −Σ mask·logprob / Σ mask (prompt tokens have mask 0).
public enum MaskedNLL {
    /// Returns the loss; logprobs, mask (N). An all-zero mask gives loss 0.
    public static func forward(logprobs: ConstFloatPointer, mask: ConstFloatPointer, N: Int) -> Float {
        var total: Double = 0, count: Double = 0
        for n in 0..<N { total += Double(mask[n] * logprobs[n]); count += Double(mask[n]) }
        return count > 0 ? Float(-total / count) : 0
    }

    /// dlogprobs (N) += −scale · mask / Σ mask.
    public static func backward(dlogprobs: FloatPointer, mask: ConstFloatPointer, N: Int, scale: Float = 1) {
        var count: Float = 0
        for n in 0..<N { count += mask[n] }
        guard count > 0 else { return }
        let g = -scale / count
        for n in 0..<N { dlogprobs[n] += g * mask[n] }
    }
}
