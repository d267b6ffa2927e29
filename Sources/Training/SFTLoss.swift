import TensorCore

/// L_SFT: masked mean token NLL of the expert trace and answer (prompt tokens masked out), with its
/// gradient with respect to each position's log-probability (via TensorCore's MaskedNLL).
public enum SFTLoss {
    /// logprobs, mask (N). Returns the loss and dL/dlogprob (N), scaled by `scale` (e.g. 1 − λ or μ).
    public static func compute(logprobs: [Float], mask: [Float], scale: Float = 1) -> (loss: Double, dlogprobs: [Float]) {
        precondition(logprobs.count == mask.count, "SFTLoss: logprobs and mask differ in length")
        let N = logprobs.count
        var d = [Float](repeating: 0, count: N)
        let loss = logprobs.withUnsafeBufferPointer { lp in
            mask.withUnsafeBufferPointer { m in
                d.withUnsafeMutableBufferPointer { dp in
                    MaskedNLL.backward(dlogprobs: dp.baseAddress!, mask: m.baseAddress!, N: N, scale: scale)
                    return MaskedNLL.forward(logprobs: lp.baseAddress!, mask: m.baseAddress!, N: N)
                }
            }
        }
        return (Double(loss), d)
    }
}
