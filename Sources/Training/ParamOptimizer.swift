import Foundation
import TensorCore

/// AdamW moments and step count of one parameter group (θ, w, or the shadow proxy θ̂); checkpointed.
public struct AdamState: Sendable, Equatable {
    /// First moments (count of the group).
    public var m: [Float]
    /// Second moments.
    public var v: [Float]
    /// Updates taken so far (AdamW's t before the next update).
    public var t: Int

    public init(count: Int) { m = [Float](repeating: 0, count: count); v = m; t = 0 }
}

/// One optimiser step of a parameter group: global-norm clip, then AdamW (or plain SGD for the
/// `proxy_optimizer: sgd` proxy). Pure in (params, grads, state): the caller owns every buffer.
public enum ParamOptimizer {
    /// Clips `grads` in place to `settings.gradClip` and applies AdamW to `params`; returns the norm
    /// before clipping (a non-finite norm leaves params and state untouched). The learning rate follows the warm-up of `settings` at the state's update count.
    @discardableResult
    public static func adamStep(params: inout [Float], grads: inout [Float], state: inout AdamState, settings: OptimSection) -> Double {
        precondition(params.count == grads.count && state.m.count == params.count, "ParamOptimizer: buffer sizes differ")
        let norm = clip(&grads, maxNorm: settings.gradClip)
        guard norm.isFinite else { return norm } // the caller stops the run as diverged; parameters stay finite
        let lr = settings.learningRate(atUpdate: state.t)
        state.t += 1
        let n = params.count, t = state.t, cfg = settings.adamW
        params.withUnsafeMutableBufferPointer { p in
            grads.withUnsafeBufferPointer { g in
                state.m.withUnsafeMutableBufferPointer { m in
                    state.v.withUnsafeMutableBufferPointer { v in
                        guard n > 0 else { return }
                        AdamW.update(params: p.baseAddress!, grads: g.baseAddress!, m: m.baseAddress!, v: v.baseAddress!,
                                     count: n, step: t, config: cfg, learningRate: lr)
                    }
                }
            }
        }
        return norm
    }

    /// θ ← θ − lr·clip(g): the sgd proxy step.
    @discardableResult
    public static func sgdStep(params: inout [Float], grads: inout [Float], learningRate: Double, gradClip: Double) -> Double {
        let norm = clip(&grads, maxNorm: gradClip)
        guard norm.isFinite else { return norm }
        let lr = Float(learningRate)
        for i in 0..<params.count { params[i] -= lr * grads[i] }
        return norm
    }

    /// Global-norm clip in place; returns the norm before clipping (≤ 0 disables clipping).
    @discardableResult
    public static func clip(_ grads: inout [Float], maxNorm: Double) -> Double {
        let n = grads.count
        return grads.withUnsafeMutableBufferPointer { g in
            guard n > 0 else { return 0 }
            return GradClip.clip([(g.baseAddress!, n)], maxNorm: maxNorm)
        }
    }

    /// √Σx² in Double.
    public static func norm(_ x: [Float]) -> Double { x.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }

    /// ‖a − b‖₂ in Double (equal counts).
    public static func distance(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count, "ParamOptimizer.distance: sizes differ")
        var s = 0.0
        for i in 0..<a.count { let d = Double(a[i]) - Double(b[i]); s += d * d }
        return s.squareRoot()
    }

    /// cos(a, b); 0 when either is zero.
    public static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for i in 0..<a.count { dot += Double(a[i]) * Double(b[i]); na += Double(a[i]) * Double(a[i]); nb += Double(b[i]) * Double(b[i]) }
        return na > 0 && nb > 0 ? dot / (na.squareRoot() * nb.squareRoot()) : 0
    }
}
