import Foundation
import GPT
import Testing
import TensorCore
import Training

/// The per-phase breakdown `bridge bench methods` prints, and the warm reference it relies on.
@Suite struct PhaseTimesTests {
    /// Each method's update charges time to exactly the kinds of work it does.
    @Test func phasesFollowTheWorkEachMethodDoes() throws {
        let sft = try TinyRun.context(try TinyRun.config("sft"))
        _ = try TrainingMethods.make(.sft).step(0, sft)
        #expect(sft.phases.sftPasses > 0 && sft.phases.optimizer > 0)
        #expect(sft.phases.sampling == 0 && sft.phases.rlPasses == 0 && sft.phases.reference == 0, "\(sft.phases)")

        let rl = try TinyRun.context(try TinyRun.config("rl_zero"))
        let rlMethod = TrainingMethods.make(.rlZero)
        try rlMethod.start(rl)
        _ = try rlMethod.step(0, rl)
        #expect(rl.phases.sampling > 0 && rl.phases.rlPasses > 0 && rl.phases.reference > 0)
        #expect(rl.phases.sftPasses == 0, "\(rl.phases)")

        let br = try TinyRun.context(try TinyRun.config("bridge"))
        let brMethod = TrainingMethods.make(.bridge)
        try brMethod.start(br)
        _ = try brMethod.step(0, br)
        #expect(br.phases.sampling > 0 && br.phases.rlPasses > 0 && br.phases.sftPasses > 0 && br.phases.optimizer > 0 && br.phases.teacher > 0)
        #expect(rl.phases.teacher == 0 && sft.phases.teacher == 0, "only BRIDGE's teacher charges the teacher phase")
    }

    /// Refreezing overwrites the existing reference in place: afterwards it scores like the current model.
    @Test func refreezingCopiesTheCurrentPolicyIntoTheReference() throws {
        let ctx = try TinyRun.context(try TinyRun.config("rl_zero"))
        ctx.freezeReference()
        let first = try #require(ctx.reference)
        _ = try ctx.sftStep(0, theta: true, w: true) // the policy moves away from the reference
        let batch = ctx.sftBatch(step: 1)
        func logprobs(_ m: GPTModel) -> [Float] { m.forward(tokens: batch.tokens, targets: batch.targets, B: batch.B, T: batch.T).logprobs }
        #expect(logprobs(first) != logprobs(ctx.model), "the SFT step should change the policy")
        ctx.freezeReference()
        #expect(ctx.reference === first, "the reference model object is reused")
        #expect(logprobs(first) == logprobs(ctx.model))
        #expect(first.theta.storage == ctx.model.theta.storage && first.w.storage == ctx.model.w.storage)
    }
}
