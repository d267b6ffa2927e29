import BridgeSupport
import Foundation
import Tasks
import Testing
import Training

/// Tests that fail when a method does not learn (the end-to-end tests only check that runs finish).
/// Tiny model from a random init, seconds each; thresholds are far from what a working trainer reaches
/// and far above what a broken one (no update, wrong sign, masked-out gradient) can reach by chance.
@Suite(.serialized) struct LearningTests {
    /// SFT on the traces lowers the held-out trace NLL (eval/sft_heldout_nll) by more than a third in 30
    /// updates: a random init starts near log V ≈ 3.5 nats (measured 3.44 → 1.81 here). A sign error or
    /// a dead gradient leaves it near the start.
    @Test func sftLowersHeldOutNLL() throws {
        let c = try TinyRun.config("sft", ["run.steps=30", "run.eval_every=30", "optim_theta.lr=3e-3", "optim_w.lr=3e-3",
                                           "sft.batch_size=16", "data.dataset.sft_size=480"])
        let (result, csv) = try TinyRun.run(c, dir: "learn-sft")
        #expect(result.status == .finished)
        let nll = CSVTable.parse(csv).rows.filter { $0[2] == Metric.evalSFTHeldoutNLL }.map { Double($0[3])! }
        #expect(nll.count == 2)
        #expect(nll[1] < 0.66 * nll[0], "held-out NLL \(nll[0]) → \(nll[1])")
    }

    /// GRPO (the project's sampling, advantages, loss and optimiser; only the reward is replaced) on a
    /// reward a policy can learn from one token: R = 1 when the response starts with the digit 7. At a
    /// random init that happens with probability ≈ 1/32; after 40 updates the policy must produce it in
    /// more than half of the rollouts (measured: all of them over the last 5). With the advantage's sign
    /// flipped it falls towards 0 instead.
    @Test func grpoRaisesRewardOnATriviallyLearnableReward() throws {
        let c = try TinyRun.config("rl_zero", ["rl.prompts_per_step=4", "rl.group_size=8", "rl.kl_beta=0", "rl.max_new_tokens=3",
                                               "rl.temperature=1", "optim_theta.lr=1e-2", "optim_w.lr=1e-2"])
        let ctx = try TinyRun.context(c)
        let seven = try Tokenizer.standard.encode("7")[0]
        var rewards: [Double] = []
        for k in 0..<40 {
            var ro = ctx.sampleRollouts(step: k)
            let T = ro.batch.T
            ro.rewards = (0..<ro.S).map { b in
                let first = (0..<T).first { ro.batch.mask[b * T + $0] != 0 }
                return first.map { ro.batch.targets[b * T + $0] == seven ? 1.0 : 0.0 } ?? 0
            }
            ro.advantages = Advantages.groupNormalized(rewards: ro.rewards, groupSize: c.rl.groupSize, stdNormalize: true)
            ctx.model.zeroGradients()
            ctx.rlGradient(&ro, theta: true, w: true)
            _ = try ctx.stepTheta(update: k)
            _ = try ctx.stepW(update: k)
            rewards.append(ro.rewards.reduce(0, +) / Double(ro.S))
        }
        let last = rewards.suffix(5).reduce(0, +) / 5
        #expect(rewards[0] < 0.2, "reward at the random init: \(rewards[0])")
        #expect(last > 0.5, "reward at update 0 \(rewards[0]), over the last 5 updates \(last)")
    }
}
