import Foundation
import GPT
import Tasks
import TensorCore

/// Everything a method's step reads and updates: the model (θ, w), the frozen reference π_ref, the
/// optimiser states, the data, the run's root RNG and the work counters. Methods are thin on purpose:
/// the shared operations (SFT gradient, rollouts, GRPO gradient, optimiser steps) live here.
public final class TrainContext {
    public let config: TrainConfig
    public let data: TrainData
    public let model: GPTModel
    /// π_ref: the frozen policy at the start of RL (θ_0, w_0); nil until `freezeReference()`.
    public var reference: GPTModel?
    /// AdamW state of θ and of w.
    public var optTheta: AdamState
    public var optW: AdamState
    /// BRIDGE's shadow proxy θ̂ (proxy: shadow) and its optimiser state; empty otherwise.
    public var shadowTheta: [Float] = []
    public var shadowOpt = AdamState(count: 0)
    /// Root stream of the run: RNG(seed: run.seed); every draw derives from it by (purpose, step, index).
    public let root: RNG
    /// Work counters (checkpointed; reported in result.json timings).
    public var counters = WorkCounters()
    /// Wall time per kind of work (bench methods' breakdown).
    public var phases = PhaseTimes()

    public init(config: TrainConfig, data: TrainData, model: GPTModel) {
        self.config = config
        self.data = data
        self.model = model
        optTheta = AdamState(count: model.theta.count)
        optW = AdamState(count: model.w.count)
        root = RNG(seed: UInt64(config.run.seed))
    }

    /// Sets π_ref to a frozen copy of the current policy (start of RL); an existing reference model is
    /// overwritten in place, so its warm activation buffers are reused.
    public func freezeReference() {
        if let ref = reference { ref.assign(from: model) } else { reference = model.copy() }
    }

    // MARK: SFT

    /// Accumulates scale·∇L_SFT into the chosen gradient buffers on `examples`; returns L_SFT.
    /// `phase` is where its wall time is charged (BRIDGE's teacher passes have their own). `loss` maps
    /// (log-probs, mask, scale) to the loss and scale·dL/dlogprob (CHORD's φ-weighted term; default L_SFT).
    @discardableResult
    public func sftGradient(_ batch: TokenBatch, scale: Float = 1, theta: Bool, w: Bool,
                            phase: WritableKeyPath<PhaseTimes, Double> = \.sftPasses,
                            loss: (_ logprobs: [Float], _ mask: [Float], _ scale: Float) -> (loss: Double, dlogprobs: [Float]) = SFTLoss.compute) -> Double {
        phases.time(phase) { sftPass(batch, scale: scale, theta: theta, w: w, lossFunction: loss) }
    }

    private func sftPass(_ batch: TokenBatch, scale: Float, theta: Bool, w: Bool,
                         lossFunction: (_ logprobs: [Float], _ mask: [Float], _ scale: Float) -> (loss: Double, dlogprobs: [Float])) -> Double {
        let out = model.forward(tokens: batch.tokens, targets: batch.targets, B: batch.B, T: batch.T, backwardFollows: theta || w)
        let (loss, d) = lossFunction(out.logprobs, batch.mask, scale)
        counters.forwardTokens += batch.B * batch.T
        if theta || w {
            model.backward(dlogprobs: d, theta: theta, w: w)
            counters.backwardTokens += batch.B * batch.T
        }
        return loss
    }

    /// L_SFT without gradients (held-out NLL).
    public func sftLoss(_ batch: TokenBatch) -> Double { sftGradient(batch, theta: false, w: false) }

    /// The SFT batch of update k (sft.batch_size examples).
    public func sftBatch(step k: Int) -> TokenBatch {
        let idx = data.sftIndices(step: k, count: config.sft.batchSize, root: root)
        counters.sftExamples += idx.count
        return TrainData.batch(idx.map { data.sft[$0] }, contextLength: model.config.contextLength)
    }

    // MARK: Optimiser steps

    /// Whether updates train w: adapters exist and optim_w.lr > 0. `optim_w.lr: 0` freezes w, and then no
    /// w-gradient is computed at all (rl_zero with it is BRIDGE's λ = 1 limit, docs/training.md).
    public var trainsW: Bool { model.w.count > 0 && config.optimW.learningRate > 0 }

    /// AdamW step of θ on model.gradTheta (clipped); zeroes the gradient; returns the pre-clip norm.
    /// A non-finite gradient stops the run (`diverged`, naming update k's step) before any parameter changes.
    @discardableResult
    public func stepTheta(update k: Int) throws -> Double {
        let n = phases.time(\.optimizer) { ParamOptimizer.adamStep(params: &model.theta.storage, grads: &model.gradTheta.storage, state: &optTheta, settings: config.optimTheta) }
        try guardFinite(n, "gradient norm of θ", update: k)
        model.gradTheta.zero()
        return n
    }

    /// AdamW step of w on model.gradW (clipped); zeroes the gradient; returns the pre-clip norm.
    @discardableResult
    public func stepW(update k: Int) throws -> Double {
        guard model.w.count > 0 else { return 0 }
        let n = phases.time(\.optimizer) { ParamOptimizer.adamStep(params: &model.w.storage, grads: &model.gradW.storage, state: &optW, settings: config.optimW) }
        try guardFinite(n, "gradient norm of w", update: k)
        model.gradW.zero()
        return n
    }

    /// Throws `diverged` naming the quantity when `value` is not finite during (0-based) update k. The
    /// error names step k + 1: the step at which update k's metrics would have been logged (metrics.md),
    /// as the runner's own checks of logged values do; metrics.csv then ends at the last good step.
    public func guardFinite(_ value: Double, _ quantity: String, update k: Int) throws {
        if !value.isFinite { throw TrainError.diverged(step: k + 1, quantity: quantity) }
    }
}

/// Work done so far (for budget matching: rollouts, SFT examples, tokens, estimated FLOPs).
public struct WorkCounters: Codable, Sendable, Equatable {
    public var rollouts = 0
    public var sftExamples = 0
    /// Token positions through forward passes (training and evaluation), backward passes, and sampling.
    public var forwardTokens = 0
    public var backwardTokens = 0
    public var sampledTokens = 0

    public init() {}
    enum CodingKeys: String, CodingKey {
        case rollouts, sftExamples = "sft_examples", forwardTokens = "forward_tokens", backwardTokens = "backward_tokens", sampledTokens = "sampled_tokens"
    }

    /// Estimated FLOPs: 2·P per token through a forward pass or a sampling step, 4·P more per token
    /// through a backward pass (the usual 6·P·tokens for training), P = parameters (θ and w).
    public func flops(parameters P: Int) -> Double {
        Double(P) * (2 * Double(forwardTokens + sampledTokens) + 4 * Double(backwardTokens))
    }
}
