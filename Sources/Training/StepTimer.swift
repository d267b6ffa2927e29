import Foundation
import GPT
import TensorCore

/// Times one training update of each method from the same starting point (same base model, same
/// seed, hence the same prompts and, for the first RL sampling, the same rollouts), so the ratio
/// measures the methods' own cost and not a difference in response lengths that training produced.
/// An untimed warm-up update per method comes first; every timed update then starts from the base again.
public enum StepTimer {
    public struct Timing: Sendable {
        public var method: String
        /// Mean seconds per update over the repeats (each repeat: a fresh copy of the base, update 0).
        public var stepSeconds: Double
        public var rollouts: Int
        public var tokens: Int
        /// Mean seconds per update in each kind of work (sampling, reference, RL and SFT passes, optimiser).
        public var phases: PhaseTimes
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
            // One model (and reference) per method, reset to the base before every update: the timed
            // updates run on warm activation buffers, as every update after the first of a real run does.
            let model = base.copy()
            var reference: GPTModel?
            var total = 0.0, rollouts = 0, tokens = 0, phases = PhaseTimes()
            for r in 0...max(repeats, 1) {
                model.assign(from: base)
                let ctx = TrainContext(config: c, data: data, model: model)
                ctx.reference = reference
                let method = try TrainingMethods.make(m)
                try method.start(ctx)
                let t0 = clock.now
                _ = try method.step(0, ctx)
                let d = clock.now - t0
                reference = ctx.reference
                if r == 0 { continue } // warm-up: sizes and touches the buffers
                total += d.seconds
                phases = phases + ctx.phases
                rollouts += ctx.counters.rollouts
                tokens += ctx.counters.forwardTokens + ctx.counters.backwardTokens + ctx.counters.sampledTokens
            }
            let n = max(repeats, 1)
            out.append(Timing(method: m, stepSeconds: total / Double(n), rollouts: rollouts / n, tokens: tokens / n,
                              phases: phases.scaled(by: 1 / Double(n))))
        }
        return out
    }
}
