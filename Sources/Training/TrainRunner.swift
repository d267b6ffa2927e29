import BridgeSupport
import Foundation
import GPT
import TensorCore

/// The generic training loop shared by every method: evaluation at step 0, every run.eval_every
/// updates and at the end; metric rows; checkpoints (metrics.csv first, then the checkpoint, so a
/// checkpoint never refers to rows that are not on disk); divergence guards; resume.
///
/// Outputs in `outDir`: config.json (resolved), provenance.json (OpenBLAS build and core, CPU, toolchain), metrics.csv (run_id, step, metric, value; byte-identical
/// across reruns and resumes at the same BLAS thread count), result.json (final metrics, status,
/// timings), checkpoint.safetensors (the latest checkpoint).
public enum TrainRunner {
    /// A loss metric (name ending in "loss") whose magnitude exceeds this factor × max(1, |its first
    /// logged value|) stops the run as diverged, like a NaN. Cross-entropy starts near log V (≈ 3.5) and
    /// GRPO's loss near 0, so 1e4 is far beyond any learning run and far below where Float32 overflows
    /// (an SFT run at lr 1e6 reaches 3e13). docs/reliability.md.
    public static let explosionFactor = 1e4

    /// Runs (or resumes, when `resume` and a checkpoint exist) one training run.
    /// `simulateKillAfter` (tests): return right after that update without writing anything more, as if
    /// the process had been killed there (status failed, nothing written for the lost updates).
    public static func execute(config: TrainConfig, runId: String, outDir: URL, resume: Bool,
                               progress: RunProgress? = nil, simulateKillAfter: Int? = nil) throws -> RunResult {
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        let resolved = try config.resolvedTree()
        let configURL = outDir.appendingPathComponent("config.json")
        let ckptURL = outDir.appendingPathComponent(TrainCheckpoint.fileName)
        let metricsURL = outDir.appendingPathComponent("metrics.csv")
        let resultURL = outDir.appendingPathComponent("result.json")
        let hash = SHA256.hex(resolved.canonicalJSON)
        let canResume = resume && FileManager.default.fileExists(atPath: ckptURL.path)
        if canResume, FileManager.default.fileExists(atPath: configURL.path) {
            let old = try ConfigValue.parseYAML(try AtomicFile.readText(configURL, what: "config.json"), source: configURL.path).value
            guard old.canonicalJSON == resolved.canonicalJSON else {
                throw TrainError.checkpoint("\(configURL.path) differs from this run's config; resume with the same config or use a new --out")
            }
        }
        try AtomicFile.write(resolved.prettyJSON, to: configURL)
        // Which BLAS build, OpenBLAS core and CPU computed this run (the latest process segment of a resumed run).
        try AtomicFile.write(try ConfigValue.encode(NumericsProvenance.current()).prettyJSON,
                             to: outDir.appendingPathComponent("provenance.json"))

        let data = try TrainData(config.data.dataset, source: "data.dataset")
        let root = RNG(seed: UInt64(config.run.seed))
        let model = try BaseModelSource.make(config: config, data: data, root: root)
        let ctx = TrainContext(config: config, data: data, model: model)
        let method = TrainingMethods.make(config.run.method)
        let evaluation = try RunEvaluation(config: config, data: data, contextLength: model.config.contextLength)

        var log = MetricLog(runId: runId)
        var state = TrainState()
        state.configHash = hash
        if canResume {
            state = try TrainCheckpoint.read(ckptURL, into: ctx, expectedConfigHash: hash)
            log = try MetricLog.read(metricsURL, runId: runId)
            log.truncate(after: state.step)
            // metrics.csv is written before every checkpoint, so it holds at least the rows the checkpoint
            // recorded; fewer (or more up to its step) means it was cut or edited, and continuing would
            // leave a hole in the curves.
            if let expected = state.metricRows, log.rows.count != expected {
                throw TrainError.inconsistent("\(metricsURL.path) holds \(log.rows.count) rows up to step \(state.step), the checkpoint recorded \(expected) (metrics.csv was cut or edited)")
            }
            // A finished run is never recomputed: its result.json (with its timings) stands, if it agrees
            // with metrics.csv (else it is rewritten from the log below).
            if state.step == config.run.steps, let done = try? RunResult.read(resultURL), done.status == .finished,
               done.final == MetricLog.lastValues(log), done.matchesMetrics(log.csv) {
                return done
            }
        } else {
            try method.start(ctx)
        }
        let clock = ContinuousClock(), started = clock.now
        var trainSeconds = 0.0, trainSteps = 0
        // First logged value of each loss metric (restored from the log on resume, so a resumed run
        // judges explosions exactly as an uninterrupted one).
        var lossStart: [String: Double] = [:]
        for r in log.rows where r.metric.hasSuffix("loss") && lossStart[r.metric] == nil { lossStart[r.metric] = r.value }
        func checkExplosion(_ s: Int, _ rows: [(String, Double)]) throws {
            for (name, v) in rows where name.hasSuffix("loss") {
                if let start = lossStart[name], abs(v) > explosionFactor * max(1, abs(start)) {
                    throw TrainError.exploded(step: s, quantity: name, value: v, start: start)
                }
            }
        }
        func wall() -> Double { state.wallSeconds + (clock.now - started).seconds }
        func logAll(_ s: Int, _ rows: [(String, Double)], check: Bool) throws {
            for (name, v) in rows {
                if check, !v.isFinite { throw TrainError.diverged(step: s, quantity: name) }
                if v.isFinite {
                    log.log(step: s, name, v)
                    if name.hasSuffix("loss") && lossStart[name] == nil { lossStart[name] = v }
                }
            }
        }
        func evaluate(_ s: Int) throws {
            let c = ctx.counters
            let drawn = [(Metric.rollouts, Double(c.rollouts)), (Metric.sftExamples, Double(c.sftExamples)),
                         (Metric.flops, c.flops(parameters: ctx.model.theta.count + ctx.model.w.count))]
            try logAll(s, try evaluation.run(ctx.model) + drawn, check: true)
        }
        func snapshot(_ s: Int) throws {
            var st = state
            st.step = s; st.optThetaT = ctx.optTheta.t; st.optWT = ctx.optW.t; st.shadowT = ctx.shadowOpt.t
            st.hasReference = ctx.reference != nil; st.counters = ctx.counters; st.wallSeconds = wall()
            st.metricRows = log.rows.count
            try log.write(to: metricsURL)
            try TrainCheckpoint.write(ctx, state: st, to: ckptURL)
        }
        func finish(_ status: RunResult.Status, _ error: String?) throws -> RunResult {
            try log.write(to: metricsURL)
            let final = MetricLog.lastValues(log)
            let c = ctx.counters, w = wall()
            let tokens = Double(c.forwardTokens + c.backwardTokens + c.sampledTokens)
            var timings: [String: Double] = [
                Metric.wallSeconds: w, Metric.tokens: tokens, Metric.peakRSSMB: PeakMemory.megabytes(),
            ]
            if w > 0 { timings[Metric.tokensPerSecond] = tokens / w }
            if trainSteps > 0 { timings[Metric.stepSeconds] = trainSeconds / Double(trainSteps) }
            var result = RunResult(runId: runId, status: status, error: error, final: final, timings: timings)
            result.metricsSHA256 = SHA256.hex(log.csv)
            try AtomicFile.write(try result.jsonText(), to: resultURL)
            return result
        }

        var s = state.step
        let total = config.run.steps
        do {
            if s == 0 && !canResume { try evaluate(0) }
            while s < total {
                let t0 = clock.now
                let rows = try method.step(s, ctx)
                trainSeconds += (clock.now - t0).seconds; trainSteps += 1
                s += 1
                for (name, v) in rows where !v.isFinite { throw TrainError.diverged(step: s, quantity: name) }
                try checkExplosion(s, rows)
                if s % config.run.logEvery == 0 || s == total { try logAll(s, rows, check: true) }
                let every = config.run.evalEvery
                if (every > 0 && s % every == 0) || s == total { try evaluate(s) }
                let ck = config.run.checkpointEvery
                if (ck > 0 && s % ck == 0) || s == total { try snapshot(s) }
                if let kill = simulateKillAfter, s == kill {
                    return RunResult(runId: runId, status: .failed, error: "killed after update \(s) (simulated)", final: [:])
                }
                if let progress {
                    let reward = rows.first { $0.0 == Metric.rewardMean }.map { " reward \(Format.number(($0.1 * 1000).rounded() / 1000))" } ?? ""
                    let acc = log.rows.last { $0.metric == Metric.evalMeanAccuracy }.map { " acc \(Format.number(($0.value * 1000).rounded() / 1000))" } ?? ""
                    let eta = trainSteps > 0 ? Format.duration((wall() - state.wallSeconds) / Double(trainSteps) * Double(total - s)) : "?"
                    progress(s, total, "\(config.run.method.rawValue)\(reward)\(acc) ETA \(eta)")
                }
            }
        } catch let TrainError.diverged(step, quantity) {
            return try finish(.diverged, "diverged at step \(step): \(quantity) is not finite")
        } catch let e as TrainError {
            guard case .exploded = e else { throw e }
            return try finish(.diverged, e.description)
        }
        return try finish(.finished, nil)
    }
}
