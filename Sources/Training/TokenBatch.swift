import Foundation

/// A padded batch of prompt + completion sequences in the model's (tokens, targets) form.
///
/// For a sequence s = prompt ++ completion (lengths P and L), position t holds token s[t] and target
/// s[t+1] (t < P + L − 1); the loss mask is 1 where the target is a completion token (t ≥ P − 1).
/// Rows are padded to the longest sequence with token 0 and target −1 (ignored by the model).
public struct TokenBatch: Sendable, Equatable {
    /// (B·T) input tokens, row-major.
    public var tokens: [Int32]
    /// (B·T) next-token targets; −1 at padding.
    public var targets: [Int32]
    /// (B·T) 1 where the target is a completion token.
    public var mask: [Float]
    public var B: Int
    public var T: Int

    /// Packs prompts and completions (same count) into rows of T = the longest sequence − 1,
    /// truncating each sequence to `contextLength + 1` tokens (the model sees at most contextLength).
    public init(prompts: [[Int32]], completions: [[Int32]], contextLength: Int) {
        precondition(prompts.count == completions.count && !prompts.isEmpty, "TokenBatch: need equal, non-zero numbers of prompts and completions")
        let seqs = zip(prompts, completions).map { Array(($0 + $1).prefix(contextLength + 1)) }
        B = seqs.count
        T = max(1, seqs.map { $0.count - 1 }.max()!)
        tokens = [Int32](repeating: 0, count: B * T)
        targets = [Int32](repeating: -1, count: B * T)
        mask = [Float](repeating: 0, count: B * T)
        for (b, s) in seqs.enumerated() {
            let P = prompts[b].count
            for t in 0..<max(0, s.count - 1) {
                tokens[b * T + t] = s[t]
                targets[b * T + t] = s[t + 1]
                if t >= P - 1 { mask[b * T + t] = 1 }
            }
            if s.count == 1 { tokens[b * T] = s[0] }
        }
    }

    /// Response (masked) tokens per row.
    public var responseLengths: [Int] { (0..<B).map { b in (0..<T).reduce(0) { $0 + (mask[b * T + $1] != 0 ? 1 : 0) } } }

    /// Number of positions that enter the loss.
    public var maskedTokens: Int { mask.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }

    /// Rows [lo, hi) as their own batch (minibatches), keeping T.
    public func rows(_ lo: Int, _ hi: Int) -> TokenBatch {
        var r = self
        r.B = hi - lo
        r.tokens = Array(tokens[(lo * T)..<(hi * T)])
        r.targets = Array(targets[(lo * T)..<(hi * T)])
        r.mask = Array(mask[(lo * T)..<(hi * T)])
        return r
    }
}
