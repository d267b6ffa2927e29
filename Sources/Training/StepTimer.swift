import Foundation
import GPT
import TensorCore

/// Times one training update of each method from the same starting point (same base model, same
/// seed, hence the same prompts and, for the first RL sampling, the same rollouts), so the ratio
/// measures the methods' own cost and not a difference in response lengths that training produced.
public enum StepTimer {
    public struct Timing: Sendable {
        public var method: String
        /// Mean seconds per update over the repeats (each repeat: a fresh copy of the base, update 0).
        public var stepSeconds: Double
        public var rollouts: Int
        public var tokens: Int
    }

    /// `warmSFTSteps` > 0 first trains the base by that many SFT updates (θ and w), so that every
    /// timed update starts from a model that writes traces (reasoning-length responses, the paper's regime).
    public static func measure(config: TrainConfig, methods: [String], repeats: Int, warmSFTSteps: Int = 0) throws -> [Timing] {
        let data = try TrainData(config.data.dataset, source: "data.dataset")
        let root = RNG(seed: UInt64(config.run.seed))
        let base = try BaseModelSource.make(config: config, data: data, root: root)
        if warmSFTSteps > 0 {
            var c = config
            c.run.method = "sft"
            let warm = TrainContext(config: c, data: data, model: base)
            for k in 0..<warmSFTSteps { _ = try warm.sftStep(1_000_000 + k, theta: true, w: true) }
        }
        let clock = ContinuousClock()
        var out: [Timing] = []
        for m in methods {
            var c = config
            c.run.method = m
            try c.validate(source: "bench methods (\(m))")
            var total = 0.0, rollouts = 0, tokens = 0
            for _ in 0..<max(repeats, 1) {
                let ctx = TrainContext(config: c, data: data, model: base.copy())
                let method = try TrainingMethods.make(m)
                try method.start(ctx)
                let t0 = clock.now
                _ = try method.step(0, ctx)
                let d = clock.now - t0
                total += Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
                rollouts += ctx.counters.rollouts
                tokens += ctx.counters.forwardTokens + ctx.counters.backwardTokens + ctx.counters.sampledTokens
            }
            let n = max(repeats, 1)
            out.append(Timing(method: m, stepSeconds: total / Double(n), rollouts: rollouts / n, tokens: tokens / n))
        }
        return out
    }
}
