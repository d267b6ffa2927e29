import BridgeSupport
import Foundation
import Testing
import Training

@Suite(.serialized) struct MethodRunTests {
    @Test(arguments: TrainConfig.methods)
    func everyMethodRunsEndToEnd(method: String) throws {
        let (result, csv) = try TinyRun.run(try TinyRun.config(method), dir: "e2e-\(method)")
        #expect(result.status == .finished, "\(method): \(result.error ?? "")")
        #expect(csv.contains(",0,eval/mean_accuracy,") && csv.contains(",3,eval/mean_accuracy,"), "\(method): evaluation at steps 0 and 3")
        let expected: [String: [String]] = [
            "sft": [Metric.sftLoss], "rl_zero": [Metric.rewardMean, Metric.kl], "cold_start": [Metric.sftLoss, Metric.rewardMean],
            "alternating": [Metric.sftLoss, Metric.rewardMean], "mix": [Metric.sftLoss, Metric.rewardMean],
            "bridge": [Metric.lambda, Metric.coopGain, Metric.cosSftRl, Metric.gradNormW],
        ]
        for m in expected[method] ?? [] { #expect(csv.contains(",\(m),"), "\(method) logs \(m)") }
        #expect(result.timings[Metric.wallSeconds] != nil && result.final[Metric.flops] != nil)
        #expect(!csv.contains("perf/"), "perf/ metrics stay out of metrics.csv")
        let provenance = try String(contentsOf: TinyRun.tempDir("e2e-\(method)", clear: false).appendingPathComponent("provenance.json"), encoding: .utf8)
        #expect(provenance.contains("\"openblas_core\"") && provenance.contains("\"blas_core\""), "every run records its BLAS core")
    }

    @Test func sameSeedSameBytesDifferentSeedDifferentBytes() throws {
        let c = try TinyRun.config("bridge")
        let (_, a) = try TinyRun.run(c, dir: "seed-a")
        let (_, b) = try TinyRun.run(c, dir: "seed-b")
        #expect(a == b, "same seed must give identical metrics.csv bytes")
        let (_, d) = try TinyRun.run(try TinyRun.config("bridge", ["run.seed=2"]), dir: "seed-c")
        #expect(a != d, "a different seed must change metrics.csv")
    }

    @Test(arguments: ["bridge", "cold_start"])
    func resumeEqualsUninterrupted(method: String) throws {
        let c = try TinyRun.config(method, ["run.steps=4", "run.checkpoint_every=2", "bridge.proxy=shadow"])
        let (full, a) = try TinyRun.run(c, dir: "resume-full-\(method)")
        let url = TinyRun.tempDir("resume-cut-\(method)")
        let (killed, _) = try TinyRun.runIn(c, url: url, killAfter: 3) // checkpoint at 2, update 3 lost
        #expect(killed.status == .failed)
        let (resumed, b) = try TinyRun.runIn(c, url: url, resume: true)
        #expect(resumed.status == .finished)
        #expect(a == b, "resumed metrics.csv must equal the uninterrupted one byte for byte")
        #expect(full.final == resumed.final)
    }

    @Test func nonFiniteStopsTheRunAsDiverged() throws {
        let c = try TinyRun.config("sft", ["optim_theta.lr=1e30", "optim_w.lr=1e30", "optim_theta.grad_clip=0", "run.steps=6"])
        let url = TinyRun.tempDir("diverge")
        let (r, csv) = try TinyRun.runIn(c, url: url)
        #expect(r.status == .diverged, "status \(r.status)")
        #expect(r.error?.contains("diverged at step") == true, "error names the step: \(r.error ?? "nil")")
        // The failing update is the one after the last logged one: the error names the step its metrics
        // would have had (update k is logged at step k + 1), not the last good step.
        let trained = csv.split(separator: "\n").filter { $0.contains(",sft/loss,") }.compactMap { Int($0.split(separator: ",")[1]) }
        let lastGood = trained.max() ?? 0
        #expect(r.error?.hasPrefix("diverged at step \(lastGood + 1):") == true, "last logged step \(lastGood), error: \(r.error ?? "nil")")
        #expect(csv.contains(",0,eval/mean_accuracy,"), "metrics measured before the divergence are kept")
        #expect(!csv.lowercased().contains("nan") && !csv.contains("inf"))
        let saved = try RunResult.read(url.appendingPathComponent("result.json"))
        #expect(saved.status == .diverged)
    }
}
