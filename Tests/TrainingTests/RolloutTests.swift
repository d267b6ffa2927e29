import Foundation
import GPT
import Testing
import TensorCore
import Training

@Suite struct RolloutTests {
    /// The padded training batch puts each sampled token where the forward pass scores it: the
    /// forward log-probs at masked positions equal the sampler's own log-probs.
    @Test func forwardLogprobsMatchSamplerLogprobs() throws {
        let ctx = try TinyRun.context(try TinyRun.config("rl_zero"))
        let model = ctx.model
        let prompts = Array(ctx.data.rlPrompts.prefix(4))
        var rngs = (0..<4).map { RNG(seed: 5).derive("row", UInt64($0)) }
        let out = model.sample(prompts: prompts, maxNewTokens: 10, options: SamplingOptions(temperature: 1, eosToken: 2), rngs: &rngs)
        let batch = TokenBatch(prompts: prompts, completions: out.tokens, contextLength: model.config.contextLength)
        let lp = model.forward(tokens: batch.tokens, targets: batch.targets, B: batch.B, T: batch.T).logprobs
        var worst = 0.0
        for b in 0..<batch.B {
            let masked = (0..<batch.T).filter { batch.mask[b * batch.T + $0] != 0 }
            #expect(masked.count == out.lengths[b], "row \(b): \(masked.count) masked positions for \(out.lengths[b]) sampled tokens")
            for (j, t) in masked.enumerated() {
                #expect(batch.targets[b * batch.T + t] == out.tokens[b][j])
                worst = max(worst, abs(Double(lp[b * batch.T + t] - out.logprobs[b][j])))
            }
        }
        #expect(worst < 1e-4, "worst |forward − sampler| log-prob \(worst)")
    }
}
