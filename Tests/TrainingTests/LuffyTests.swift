import Foundation
import Tasks
import Testing
import TensorCore
import Training

/// LUFFY (LuffyMethod): the mixed-policy GRPO loss against a loop reference and central differences,
/// the groups it builds, and the limit of no off-policy traces (rl_zero).
@Suite(.serialized) struct LuffyTests {
    /// A random GRPO batch (GRPOLossTests) with rows 1 and 4 off-policy.
    static func mixedBatch(seed: UInt64, ratioSpread: Double = 0.4) -> GRPOLoss.Batch {
        var b = randomGRPOBatch(seed: seed, ratioSpread: ratioSpread)
        b.offPolicy = (0..<b.S).map { $0 == 1 || $0 == 4 }
        return b
    }

    /// Token-mean loss written from the papers, one token at a time: on-policy tokens
    /// −min(ρA, clip(ρ)A), off-policy tokens −A·π/(π + γ); plus β·k3 (clamped) on every token.
    static func reference(_ b: GRPOLoss.Batch, _ o: GRPOLoss.Options) -> Double {
        var sum = 0.0, tokens = 0.0
        for s in 0..<b.S {
            for t in 0..<b.T where b.mask[s * b.T + t] == 1 {
                let n = s * b.T + t, a = Double(b.advantages[s]), lp = Double(b.logprobs[n])
                let pg: Double
                if b.offPolicy[s] {
                    pg = -a * exp(lp) / (exp(lp) + o.offPolicyGamma)
                } else {
                    let rho = exp(lp - Double(b.oldLogprobs[n]))
                    pg = -min(rho * a, min(max(rho, 1 - o.clipLow), 1 + o.clipHigh) * a)
                }
                let q = min(max(Double(b.refLogprobs[n]) - lp, -20), 20)
                sum += pg + o.klBeta * min(max(exp(q) - q - 1, -10), 10)
                tokens += 1
            }
        }
        return sum / tokens
    }

    @Test func lossMatchesLoopReferenceAndVectorisedForm() {
        for seed in UInt64(1)...20 {
            for o in [GRPOLoss.Options(), GRPOLoss.Options(clipLow: 0.1, clipHigh: 0.28, klBeta: 0.05, offPolicyGamma: 0.5)] {
                let b = Self.mixedBatch(seed: seed)
                let loop = GRPOLoss.compute(b, options: o), vec = GRPOLoss.computeVectorised(b, options: o)
                let ref = Self.reference(b, o)
                #expect(abs(loop.loss - ref) < 1e-9 * max(1, abs(ref)), "seed \(seed): loop \(loop.loss) vs reference \(ref)")
                #expect(abs(vec.loss - ref) < 2e-5 * max(1, abs(ref)), "seed \(seed): vectorised \(vec.loss) vs reference \(ref)")
                for n in loop.dlogprobs.indices {
                    #expect(abs(loop.dlogprobs[n] - vec.dlogprobs[n]) <= 2e-5 * max(1, abs(loop.dlogprobs[n])), "seed \(seed) n \(n)")
                }
                #expect(abs(loop.stats.offPolicyProb - vec.stats.offPolicyProb) < 1e-5 && loop.stats.offPolicyTokens == vec.stats.offPolicyTokens)
                #expect(loop.stats.offPolicyTokens > 0 && loop.stats.offPolicyProb > 0)
            }
        }
    }

    /// dL/dlogπ equals central differences of the loop loss, off-policy tokens included.
    @Test func gradientMatchesCentralDifferences() {
        var worst = (err: 0.0, what: "")
        for seed in UInt64(1)...5 {
            let w = worstGRPOGradientMismatch(Self.mixedBatch(seed: seed + 100), options: GRPOLoss.Options(klBeta: 0.05))
            if w.err > worst.err { worst = (w.err, "seed \(seed) \(w.what)") }
        }
        #expect(worst.err == 0, "worst gradient mismatch \(worst.what)")
    }

    /// An off-policy token is never clipped: ρ = e² against π_old would clip an on-policy token (gradient 0),
    /// the off-policy one keeps −A·γπ/(π + γ)² and counts in no clip fraction.
    @Test func offPolicyTokensAreShapedNotClipped() {
        let lp: Float = -0.5, p = Double(exp(lp)), gamma = 0.1
        let b = GRPOLoss.Batch(logprobs: [lp, lp], oldLogprobs: [lp - 2, lp - 2], refLogprobs: [lp, lp], mask: [1, 1], advantages: [1, 1], T: 1,
                               offPolicy: [false, true])
        let r = GRPOLoss.compute(b, options: GRPOLoss.Options(klBeta: 0))
        #expect(r.dlogprobs[0] == 0, "the on-policy token is clipped")
        let expected = -gamma * p / ((p + gamma) * (p + gamma)) / 2
        #expect(abs(Double(r.dlogprobs[1]) - expected) < 1e-7, "\(r.dlogprobs[1]) vs \(expected)")
        #expect(r.stats.clipFracHigh == 0.5 && r.stats.clipFracLow == 0)
    }

    /// Each group: G − n sampled rows, then n copies of the prompt's own expert trace (which the verifier
    /// accepts); advantages over all G rows; counters charge G − n rollouts and n SFT examples per prompt.
    @Test func groupsEndWithThePromptsExpertTraces() throws {
        let c = try TinyRun.config("luffy", ["luffy.off_policy_traces=2"])
        let ctx = try TinyRun.context(c)
        let experts = try TaskDatasets.rlWithTraces(c.data.dataset)
        #expect(experts.map(\.direct) == ctx.data.sets.rl, "the same problems as the RL set")
        let tok = Tokenizer.standard
        let idx = ctx.data.rlIndices(step: 0, count: c.rl.promptsPerStep, root: ctx.root)
        let ro = ctx.sampleRollouts(step: 0, offPolicyPerGroup: 2) { try! tok.encode(experts[$0]).completion }
        let G = c.rl.groupSize
        #expect(ro.offPolicy == Array((0..<c.rl.promptsPerStep).map { _ in [false, false, true, true] }.joined()))
        let T = ro.batch.T
        for (g, i) in idx.enumerated() {
            let full = try tok.encode(experts[i])
            for row in [g * G + 2, g * G + 3] {
                let targets = (0..<T).filter { ro.batch.mask[row * T + $0] != 0 }.map { ro.batch.targets[row * T + $0] }
                #expect(targets == full.completion, "row \(row) holds prompt \(i)'s expert completion")
                #expect(ro.rewards[row] == 1, "the expert trace is correct")
            }
        }
        #expect(ctx.counters.rollouts == c.rl.promptsPerStep * 2 && ctx.counters.sftExamples == c.rl.promptsPerStep * 2)
        let adv = Advantages.groupNormalized(rewards: ro.rewards, groupSize: G)
        #expect(adv == ro.advantages)
    }

    /// luffy.off_policy_traces = 0: every group is sampled and the loss is GRPO's: LUFFY equals rl_zero on
    /// every metric rl_zero logs (4 updates, 3 evaluations).
    @Test func noOffPolicyTracesRunEqualsRLZero() throws {
        let common = ["run.steps=4", "data.reward_noise=0.3"]
        let (r1, rl) = try TinyRun.run(try TinyRun.config("rl_zero", common), dir: "luffy-limit-rl")
        let (r2, lf) = try TinyRun.run(try TinyRun.config("luffy", common + ["luffy.off_policy_traces=0"]), dir: "luffy-limit-0")
        #expect(r1.status == .finished && r2.status == .finished)
        let (a, b) = BridgeLimitTests.shared(rl, lf)
        #expect(a.count > 40 && a.contains { $0.contains(",4,rl/loss,") }, "rl_zero logs 4 updates (\(a.count) rows)")
        #expect(a == b, "rows differ; first: \(zip(a, b).first { $0.0 != $0.1 }.map { "\($0.0) vs \($0.1)" } ?? "count \(a.count) vs \(b.count)")")
    }

    @Test func defaultStepLearnsFromTheExpertRows() throws {
        let ctx = try TinyRun.context(try TinyRun.config("luffy"))
        let m = LuffyMethod()
        try m.start(ctx)
        let theta0 = ctx.model.theta.storage
        let rows = try m.step(0, ctx)
        let value = { (name: String) in rows.first { $0.0 == name }?.1 }
        // A random model rarely answers: the expert row is the group's only reward, so its advantage is positive.
        #expect(value(Metric.luffyOffPolicyReward) == 1 && (value(Metric.luffyOffPolicyAdvantage) ?? 0) > 0)
        #expect((value(Metric.luffyOffPolicyProb) ?? 0) > 0)
        let moved = ctx.model.theta.storage != theta0
        #expect(moved)
    }

    @Test func unsupportedOptionsAreRefused() throws {
        for (key, value) in [("rl.ppo_epochs", "2"), ("rl.minibatches", "2"), ("luffy.off_policy_traces", "4"), ("luffy.gamma", "0")] {
            let message: String
            do { _ = try TinyRun.config("luffy", ["\(key)=\(value)"]); message = "" } catch { message = "\(error)" }
            #expect(message.contains(key), "\(key)=\(value): \(message)")
        }
    }
}
