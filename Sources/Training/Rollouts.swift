import Foundation
import GPT
import Tasks
import TensorCore

/// One RL batch: G responses to each of P prompts, their rewards and advantages, and the log-probs
/// of the sampling policy π_old = π(θ_k, w_k) and of π_ref on every position.
public struct Rollouts: Sendable {
    /// S = P·G rows: prompt ++ response (response tokens masked in).
    public var batch: TokenBatch
    /// Reward R_i per row.
    public var rewards: [Double]
    public var advantages: Advantages.Result
    /// log π_old per position (N); empty until the first forward at θ_k fills it (ρ = 1 exactly there).
    public var oldLogprobs: [Float]
    /// log π_ref per position (N) (equal to π_old when β = 0: k3 = 0 without a reference forward).
    public var refLogprobs: [Float]
    /// Per row: true for an off-policy expert trace (LUFFY); empty when every row was sampled.
    public var offPolicy: [Bool] = []

    public var S: Int { rewards.count }
}

extension TrainContext {
    /// Samples the rollouts of update k from the current policy: prompts from derive("rl_prompts", k),
    /// row i's tokens from its own stream derive("rollout", k).derive("row", i), its reward noise from
    /// derive("reward", k).derive("row", i). `purpose` separates proxy rollouts from the student's.
    ///
    /// `expert` (LUFFY): the off-policy completion of RL prompt i; each group is then G − n sampled rows
    /// followed by n = `offPolicyPerGroup` copies of its prompt's expert completion (counted as SFT examples,
    /// rewarded by the same verifier and reward noise), and the advantages are computed over all G rows.
    /// Sampled row j keeps stream derive("row", j) over the sampled rows; row i of the whole batch its reward
    /// stream derive("row", i). With n = 0 this is the plain draw.
    public func sampleRollouts(step k: Int, purpose: String = "rollout", offPolicyPerGroup n: Int = 0,
                               expert: ((Int) -> [Int32])? = nil) -> Rollouts {
        let rl = config.rl, G = rl.groupSize, sampled = G - n
        precondition(n == 0 || expert != nil, "sampleRollouts: off-policy rows need expert completions")
        let idx = data.rlIndices(step: k, count: rl.promptsPerStep, root: root)
        let prompts = idx.flatMap { Array(repeating: data.rlPrompts[$0], count: G) }
        let answers = idx.flatMap { Array(repeating: data.rlAnswers[$0], count: G) }
        let samplePrompts = idx.flatMap { Array(repeating: data.rlPrompts[$0], count: sampled) }
        let stream = root.derive(purpose, UInt64(k))
        var rngs = (0..<samplePrompts.count).map { stream.derive("row", UInt64($0)) }
        let options = SamplingOptions(temperature: Float(rl.temperature), eosToken: Tokenizer.eos)
        let out = phases.time(\.sampling) { model.sample(prompts: samplePrompts, maxNewTokens: rl.maxNewTokens, options: options, rngs: &rngs) }
        var completions = out.tokens, offPolicy: [Bool] = []
        if n > 0, let expert {
            completions = []
            for (g, i) in idx.enumerated() {
                completions += out.tokens[(g * sampled)..<((g + 1) * sampled)] + Array(repeating: expert(i), count: n)
                offPolicy += Array(repeating: false, count: sampled) + Array(repeating: true, count: n)
            }
            counters.sftExamples += idx.count * n
        }
        let rewardStream = root.derive(purpose == "rollout" ? "reward" : purpose + "_reward", UInt64(k))
        let rewardConfig = config.data.reward
        var rewards: [Double] = []
        phases.time(\.sampling) {
            for i in 0..<prompts.count {
                var r = rewardStream.derive("row", UInt64(i))
                rewards.append(rewardConfig.reward(Verifier.check(completion: completions[i], answer: answers[i]), rng: &r))
            }
        }
        counters.rollouts += samplePrompts.count
        counters.sampledTokens += out.lengths.reduce(0, +)
        let batch = TokenBatch(prompts: prompts, completions: completions, contextLength: model.config.contextLength)
        let adv = Advantages.groupNormalized(rewards: rewards, groupSize: G, stdNormalize: rl.stdNormalize)
        var ro = Rollouts(batch: batch, rewards: rewards, advantages: adv, oldLogprobs: [], refLogprobs: [], offPolicy: offPolicy)
        if rl.klBeta > 0 {
            let ref = reference ?? model
            ro.refLogprobs = phases.time(\.reference) {
                ref.forward(tokens: batch.tokens, targets: batch.targets, B: batch.B, T: batch.T, temperature: Float(rl.temperature),
                            backwardFollows: false).logprobs
            }
            counters.forwardTokens += batch.B * batch.T
        }
        return ro
    }

    /// GRPO options of the config.
    public var grpoOptions: GRPOLoss.Options {
        let rl = config.rl
        return GRPOLoss.Options(clipLow: rl.clipLow, clipHigh: rl.clipHigh, klBeta: rl.klBeta, entropyCoef: rl.entropyCoef,
                                aggregation: rl.aggregation, offPolicyGamma: config.luffy.gamma)
    }

    /// Forward of rows [lo, hi) at the current parameters, GRPO loss against the rollouts' π_old and
    /// π_ref, and (when theta or w) backward of scale·dL/dlogπ into the chosen gradients.
    /// The first call on fresh rollouts records π_old from this forward (so ρ = 1 exactly).
    /// `phase` is where its wall time is charged (BRIDGE's teacher passes have their own).
    @discardableResult
    public func rlGradient(_ ro: inout Rollouts, rows: Range<Int>? = nil, scale: Float = 1, theta: Bool, w: Bool,
                           phase: WritableKeyPath<PhaseTimes, Double> = \.rlPasses) -> GRPOLoss.Result {
        phases.time(phase) { rlPass(&ro, rows: rows, scale: scale, theta: theta, w: w) }
    }

    private func rlPass(_ ro: inout Rollouts, rows: Range<Int>?, scale: Float, theta: Bool, w: Bool) -> GRPOLoss.Result {
        let r = rows ?? 0..<ro.S
        let T = ro.batch.T
        let b = r.count == ro.S ? ro.batch : ro.batch.rows(r.lowerBound, r.upperBound)
        let out = model.forward(tokens: b.tokens, targets: b.targets, B: b.B, T: T,
                                temperature: Float(config.rl.temperature), computeEntropy: true, backwardFollows: theta || w)
        counters.forwardTokens += b.B * T
        if ro.oldLogprobs.isEmpty {
            precondition(r.count == ro.S, "rlGradient: π_old must be recorded on the whole batch first")
            ro.oldLogprobs = out.logprobs
        }
        if ro.refLogprobs.isEmpty { ro.refLogprobs = ro.oldLogprobs } // β = 0: k3 ≡ 0
        let span = (r.lowerBound * T)..<(r.upperBound * T)
        let lb = GRPOLoss.Batch(logprobs: out.logprobs, oldLogprobs: Array(ro.oldLogprobs[span]), refLogprobs: Array(ro.refLogprobs[span]),
                                entropy: out.entropy, mask: b.mask, advantages: Array(ro.advantages.advantages[r]), T: T,
                                offPolicy: ro.offPolicy.isEmpty ? [] : Array(ro.offPolicy[r]))
        var result = GRPOLoss.computeVectorised(lb, options: grpoOptions)
        if theta || w {
            if scale != 1 { result.dlogprobs = result.dlogprobs.map { $0 * scale } }
            model.backward(dlogprobs: result.dlogprobs, theta: theta, w: w)
            counters.backwardTokens += b.B * T
        }
        return result
    }

    /// Records π_old on the whole batch without a backward (needed before several epochs/minibatches).
    public func recordOldLogprobs(_ ro: inout Rollouts) {
        guard ro.oldLogprobs.isEmpty else { return }
        rlGradient(&ro, theta: false, w: false)
    }
}
