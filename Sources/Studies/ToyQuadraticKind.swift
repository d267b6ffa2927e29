import BridgeSupport
import Foundation
import TensorCore

/// Config of the `toy_quadratic` smoke-test kind: seeded noisy gradient descent on ½·Σ aᵢ·xᵢ².
public struct ToyQuadraticConfig: Codable, Sendable, Equatable {
    /// Root seed of the run (init and gradient noise streams derive from it); set by the study's `seeds`.
    public var seed = 0
    /// Optimiser: `sgd` or `heavy_ball` (momentum); gives studies a `method` column to group by.
    public var method = "sgd"
    /// Dimension of x: small, so that a run takes milliseconds.
    public var dim = 8
    /// Number of gradient steps.
    public var steps = 60
    /// Step size α; above 2/max(a) = 2 the iteration diverges (a diverged run is a useful test case).
    public var learningRate = 0.1
    /// Heavy-ball momentum coefficient (used by `heavy_ball` only).
    public var momentum = 0.9
    /// Standard deviation of the Gaussian noise added to every gradient coordinate.
    public var noise = 0.1
    /// Condition number: curvatures aᵢ are log-spaced in [1/condition, 1].
    public var condition = 10.0
    /// Evaluate (log eval/ metrics) every this many steps, and at the last step.
    public var evalEvery = 5
    /// Throw an error at this step (for testing failure handling); -1 never fails.
    public var failAtStep = -1
    /// Sleep this many milliseconds per step (for kill-and-resume tests); 0 in real use.
    public var sleepMs = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case seed, method, dim, steps, learningRate = "learning_rate", momentum, noise, condition
        case evalEvery = "eval_every", failAtStep = "fail_at_step", sleepMs = "sleep_ms"
    }
}

/// A real, cheap, deterministic run kind for smoke tests of the study machinery (not a model of BRIDGE).
///
/// Logs `train/loss` every step and, every `eval_every` steps, `eval/toy/fit` = exp(−f(x)) (rises as
/// the loss falls) and `eval/toy/retention` = exp(−‖x − x₀‖²/(2·dim)) (falls as x leaves its
/// initial point: a curve for the forgetting metrics).
public struct ToyQuadraticKind: RunKind {
    public init() {}
    public var name: String { "toy_quadratic" }
    /// A loss above this (or non-finite) stops the run as diverged: the iteration has left any useful range.
    public static let divergenceLoss = 1e12

    public func resolve(_ config: ConfigValue, source: String) throws -> ConfigValue {
        let defaults = try ConfigValue.encode(ToyQuadraticConfig())
        let merged = try StrictConfig.merge(config, over: defaults, source: source)
        let c = try merged.decode(ToyQuadraticConfig.self, source: source)
        guard ["sgd", "heavy_ball"].contains(c.method) else {
            throw ConfigError.invalid(source: source, path: "method", line: nil, message: "unknown method '\(c.method)'", fix: "use sgd or heavy_ball")
        }
        guard c.dim >= 1, c.steps >= 1, c.evalEvery >= 1, c.condition >= 1, c.seed >= 0 else {
            throw ConfigError.invalid(source: source, path: "dim/steps/eval_every/condition/seed", line: nil,
                                      message: "dim, steps, eval_every must be ≥ 1, condition ≥ 1, seed ≥ 0", fix: "correct the value")
        }
        return try ConfigValue.encode(c)
    }

    public func execute(resolved: ConfigValue, runId: String, outDir: URL, progress: RunProgress?) throws -> RunResult {
        let c = try resolved.decode(ToyQuadraticConfig.self, source: "config.json")
        let start = DispatchTime.now().uptimeNanoseconds
        let root = RNG(seed: UInt64(c.seed))
        var initRNG = root.derive("init"), noiseRNG = root.derive("noise")
        let a = (0..<c.dim).map { i in c.dim == 1 ? 1 : pow(c.condition, -Double(i) / Double(c.dim - 1)) }
        let x0 = (0..<c.dim).map { _ in initRNG.normal() }
        var x = x0, velocity = [Double](repeating: 0, count: c.dim)
        var log = MetricLog(runId: runId)
        var status = RunResult.Status.finished
        var errorText: String? = nil
        func loss() -> Double { zip(a, x).reduce(0) { $0 + 0.5 * $1.0 * $1.1 * $1.1 } }
        stepLoop: for step in 1...c.steps {
            if step == c.failAtStep {
                throw ToyFailure(message: "injected failure at step \(step) (fail_at_step)")
            }
            for i in 0..<c.dim {
                let g = a[i] * x[i] + c.noise * noiseRNG.normal()
                if c.method == "heavy_ball" { velocity[i] = c.momentum * velocity[i] + g; x[i] -= c.learningRate * velocity[i] }
                else { x[i] -= c.learningRate * g }
            }
            let f = loss()
            guard f.isFinite, f < ToyQuadraticKind.divergenceLoss else {
                status = .diverged; errorText = "loss exceeded 1e12 at step \(step)"; break stepLoop
            }
            log.log(step: step, "train/loss", f)
            if step % c.evalEvery == 0 || step == c.steps {
                let moved = zip(x, x0).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                log.log(step: step, "eval/toy/fit", exp(-f))
                log.log(step: step, "eval/toy/retention", exp(-moved / (2 * Double(c.dim))))
            }
            if c.sleepMs > 0 { usleep(UInt32(c.sleepMs) * 1000) }
            progress?(step, c.steps, "loss \(Format.number(f))")
        }
        var final: [String: Double] = [:]
        for r in log.rows { final[r.metric] = r.value }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let result = RunResult(runId: runId, status: status, error: errorText, final: final,
                               timings: [RunTimings.wallSeconds: seconds, "steps_per_s": Double(c.steps) / max(seconds, 1e-9)])
        try log.write(to: outDir.appendingPathComponent("metrics.csv"))
        try AtomicFile.write(try result.jsonText(), to: outDir.appendingPathComponent("result.json"))
        return result
    }
}

/// The error a toy run throws at `fail_at_step`.
public struct ToyFailure: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
