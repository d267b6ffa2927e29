import Foundation
import Testing

/// `bridge study submit` against real Slurm daemons: scripts/test.sh starts a one-node cluster
/// (scripts/slurm-local.sh) and sets BRIDGE_SLURM_TESTS=1; without it the suite is skipped, because it
/// would otherwise submit jobs to whatever cluster this machine belongs to.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["BRIDGE_SLURM_TESTS"] == "1",
                             "needs a running Slurm: scripts/test.sh starts one as root; or eval \"$(scripts/slurm-local.sh start)\" and set BRIDGE_SLURM_TESTS=1"))
struct SlurmClusterTests {
    /// Two methods × two seeds on the tiny model, a few updates each, one base model per seed (30
    /// pretraining steps): seconds per run, and a base-model job before the array.
    static let spec = """
        name: slurmcheck
        question: Does a study submitted to Slurm give the bytes of a local one?
        kind: train
        base:
          run: {seed_scope: all, steps: 4, eval_every: 2, checkpoint_every: 2, base_cache_dir: cache}
          model: {preset: tiny}
          pretrain: {steps: 30, warmup_steps: 5}
          sft: {batch_size: 4}
          rl: {prompts_per_step: 2, group_size: 2, max_new_tokens: 16}
          eval: {suite: {benchmarks: {size: 8, names: [b1_indist]}}, heldout_size: 8, probe_size: 8, validation_size: 8}
        axes:
          grid:
            run.method: [sft, rl_zero]
        seeds: 2
        metrics:
          - {name: eval/mean_accuracy, how: [final]}
        forgetting: [eval/probe_*/accuracy]

        """

    static func tool(_ name: String) throws -> URL {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw CLIError(message: "\(name) is not on PATH although BRIDGE_SLURM_TESTS=1")
    }

    /// The latest submission of a study folder (slurm/submissions.json).
    static func lastSubmission(_ dir: URL) throws -> [String: Any] {
        let list = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("slurm/submissions.json"))) as! [[String: Any]]
        return list.last!
    }

    /// Waits until the collect job of submission `number` has recorded the end in manifest.json.
    static func waitForCollect(_ dir: URL, submission number: Int, seconds: Double = 300) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let data = try? Data(contentsOf: dir.appendingPathComponent("manifest.json")),
               let m = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               (m["executor"] as? [String: Any])?["submission"] as? Int == number, m["finished_at"] is String { return }
            usleep(250_000)
        }
        let queue = try runProgram(try tool("squeue"), ["--states=all"], in: dir)
        throw CLIError(message: "submission \(number) of \(dir.path) was not collected within \(Int(seconds)) s; squeue:\n\(queue.out)\(queue.err)")
    }

    static func finishedRuns(_ dir: URL) -> [String: Data] {
        let runs = dir.appendingPathComponent("runs")
        var out: [String: Data] = [:]
        for id in (try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? [] {
            if let data = try? Data(contentsOf: runs.appendingPathComponent(id).appendingPathComponent("result.json")),
               String(decoding: data, as: UTF8.self).contains("\"status\": \"finished\"") { out[id] = data }
        }
        return out
    }

    @Test func submittedAndCancelledThenResubmittedStudiesGiveTheBytesOfALocalStudy() throws {
        let sinfo = try runProgram(try SlurmClusterTests.tool("sinfo"), ["-h", "-o", "%t"], in: URL(fileURLWithPath: "/"))
        try #require(sinfo.status == 0 && !sinfo.out.isEmpty, "BRIDGE_SLURM_TESTS=1 but Slurm does not answer: \(sinfo.out)\(sinfo.err)")
        let dir = try makeTempDir("slurm")
        try SlurmClusterTests.spec.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)

        // 1. The whole study through Slurm: base models first (two array tasks), then the runs, then collect.
        let (s1, o1, e1) = try runBridge(["study", "submit", "s.yaml", "--out", "slurm"], in: dir)
        try #require(s1 == 0, "\(o1)\(e1)")
        #expect(o1.contains("4 runs, 0 complete, 4 submitted (submission 1)") && o1.contains("base models, 2 array task(s)"), "\(o1)")
        let slurm = dir.appendingPathComponent("slurm")
        let first = try SlurmClusterTests.lastSubmission(slurm)
        let (_, status1, _) = try runBridge(["study", "status", "slurm"], in: dir)
        #expect(status1.contains("slurm: submission 1 of 1") && status1.contains("(\(first["runs_job"] as! String)_3)")
                && !status1.contains("no longer known to Slurm"), "Slurm's view of a fresh submission is missing:\n\(status1)")
        try SlurmClusterTests.waitForCollect(slurm, submission: 1)
        let setupLogs = try FileManager.default.contentsOfDirectory(atPath: slurm.appendingPathComponent("slurm/logs").path).filter { $0.hasPrefix("setup-") }
        #expect(setupLogs.count == 2, "\(setupLogs)")
        for log in setupLogs {
            let text = try String(contentsOf: slurm.appendingPathComponent("slurm/logs/" + log), encoding: .utf8)
            #expect(text.contains(" pretrained"), "the base-model task did not build its base model: \(text)")
        }
        let (_, status2, _) = try runBridge(["study", "status", "slurm"], in: dir)
        #expect(status2.contains("4 finished") && status2.contains("COMPLETED (\(first["runs_job"] as! String)_0)"), "\(status2)")

        // 2. The same study with local workers (the base models are cached now): the same bytes.
        let (s2, o2, e2) = try runBridge(["study", "run", "s.yaml", "--out", "local", "--workers", "2"], in: dir)
        try #require(s2 == 0, "\(o2)\(e2)")
        #expect(try sameCSVs(dir.appendingPathComponent("local"), slurm) == [], "Slurm and local workers disagree")

        // 3. A submission cancelled once a run has finished, then submitted again: only the unfinished
        // runs run, the finished ones are not touched, and the bytes are the local study's.
        let (s3, o3, e3) = try runBridge(["study", "submit", "s.yaml", "--out", "cancelled", "--max-running", "1"], in: dir)
        try #require(s3 == 0, "\(o3)\(e3)")
        #expect(!o3.contains("base models"), "the base models are cached: no base-model job is needed\n\(o3)")
        let cancelled = dir.appendingPathComponent("cancelled")
        let runsJob = try SlurmClusterTests.lastSubmission(cancelled)["runs_job"] as! String
        let deadline = Date().addingTimeInterval(180)
        while SlurmClusterTests.finishedRuns(cancelled).isEmpty && Date() < deadline { usleep(100_000) }
        let scancel = try runProgram(try SlurmClusterTests.tool("scancel"), [runsJob], in: dir)
        #expect(scancel.status == 0, "\(scancel.err)")
        let squeue = try SlurmClusterTests.tool("squeue")
        let settle = Date().addingTimeInterval(60)
        while Date() < settle, !(try runProgram(squeue, ["-h", "-j", runsJob, "-o", "%T"], in: dir).out
                .split(separator: "\n").allSatisfy({ ["CANCELLED", "COMPLETED", "FAILED"].contains(String($0)) })) { usleep(250_000) }
        let kept = SlurmClusterTests.finishedRuns(cancelled)
        try #require(!kept.isEmpty && kept.count < 4, "cancelled after \(kept.count) of 4 runs: nothing left to resume")
        let (_, status3, _) = try runBridge(["study", "status", "cancelled"], in: dir)
        #expect(status3.contains("CANCELLED (\(runsJob)_") && status3.contains("ended in Slurm without a result"), "\(status3)")

        let (s4, o4, e4) = try runBridge(["study", "submit", "s.yaml", "--out", "cancelled"], in: dir)
        try #require(s4 == 0, "\(o4)\(e4)")
        #expect(o4.contains("\(kept.count) complete, \(4 - kept.count) submitted (submission 2)"), "\(o4)")
        try SlurmClusterTests.waitForCollect(cancelled, submission: 2)
        #expect(try sameCSVs(dir.appendingPathComponent("local"), cancelled) == [], "the resumed submission disagrees with the local study")
        for (id, data) in kept {
            #expect(try Data(contentsOf: cancelled.appendingPathComponent("runs/\(id)/result.json")) == data, "finished run \(id) was computed again")
        }
    }
}
