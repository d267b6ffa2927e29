import Foundation
import GPT
import TensorCore

/// Times one training update of each method from the same starting point (same base model, same
/// seed, hence the same prompts and, for the first RL sampling, the same rollouts), so the ratio
/// measures the methods' own cost and not a difference in response lengths that training produced.
/// An untimed warm-up update per method comes first; every timed update then starts from the base again,
/// and the methods take turns (repeat 1 of each, then repeat 2 of each, ...).
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
            c.run.method = .sft
            let warm = TrainContext(config: c, data: data, model: base)
            for k in 0..<warmSFTSteps { _ = try warm.sftStep(1_000_000 + k, theta: true, w: true) }
        }
        let clock = ContinuousClock()
        // One model (and reference) per method, reset to the base before every update: the timed updates
        // run on warm activation buffers, as every update after the first of a real run does. Methods take
        // turns within each repeat, so a change in the machine's load (shared cores) falls on all of them
        // alike and their ratios stay fair.
        let configs = try methods.map { m -> TrainConfig in
            var c = config
            c.run.method = try TrainMethod.parse(m, what: "bench methods")
            try c.validate(source: "bench methods (\(m))")
            return c
        }
        let models = methods.map { _ in base.copy() }
        var references = [GPTModel?](repeating: nil, count: methods.count)
        var totals = [Double](repeating: 0, count: methods.count), rollouts = [Int](repeating: 0, count: methods.count)
        var tokens = rollouts, phases = [PhaseTimes](repeating: PhaseTimes(), count: methods.count)
        for r in 0...max(repeats, 1) {
            for i in methods.indices {
                models[i].assign(from: base)
                let ctx = TrainContext(config: configs[i], data: data, model: models[i])
                ctx.reference = references[i]
                let method = TrainingMethods.make(configs[i].run.method)
                try method.start(ctx)
                let t0 = clock.now
                _ = try method.step(0, ctx)
                let d = clock.now - t0
                references[i] = ctx.reference
                if r == 0 { continue } // warm-up: sizes and touches the buffers
                totals[i] += d.seconds
                phases[i] = phases[i] + ctx.phases
                rollouts[i] += ctx.counters.rollouts
                tokens[i] += ctx.counters.forwardTokens + ctx.counters.backwardTokens + ctx.counters.sampledTokens
            }
        }
        let n = max(repeats, 1)
        let out = methods.enumerated().map { i, m in
            Timing(method: m, stepSeconds: totals[i] / Double(n), rollouts: rollouts[i] / n, tokens: tokens[i] / n,
                   phases: phases[i].scaled(by: 1 / Double(n)))
        }
        return out
    }
}
