import Foundation
import Testing

/// 2 methods × 2 learning rates × 2 seeds of the smoke-test kind; `sleep_ms` stretches runs for kill tests.
func toyStudy(sleepMs: Int) -> String {
    """
    name: toycli
    question: Does heavy-ball momentum beat SGD on a noisy quadratic?
    kind: toy_quadratic
    base: {steps: 20, noise: 0.05, sleep_ms: \(sleepMs)}
    axes:
      grid:
        method: [sgd, heavy_ball]
        learning_rate: [0.05, 0.2]
    seeds: 2
    metrics:
      - {name: train/loss, how: [final, auc]}
      - {name: eval/toy/fit, how: [max]}
    forgetting: [eval/toy/retention]

    """
}

func sameCSVs(_ a: URL, _ b: URL) throws -> [String] {
    try ["runs.csv", "metrics.csv", "summary.csv"].filter {
        try Data(contentsOf: a.appendingPathComponent($0)) != Data(contentsOf: b.appendingPathComponent($0))
    }
}

@Suite(.serialized) struct StudyCLITests {
    @Test func oneWorkerAndTwoWorkersGiveSameBytes() throws {
        let dir = try makeTempDir("workers")
        try toyStudy(sleepMs: 0).write(to: dir.appendingPathComponent("toy.yaml"), atomically: true, encoding: .utf8)
        let (s1, _, e1) = try runBridge(["study", "run", "toy.yaml", "--workers", "1", "--out", "one"], in: dir)
        let (s2, o2, e2) = try runBridge(["study", "run", "toy.yaml", "--workers", "2", "--out", "two"], in: dir)
        #expect(s1 == 0 && s2 == 0, "\(e1)\(e2)")
        #expect(o2.contains("8 finished"), "\(o2)")
        #expect(try sameCSVs(dir.appendingPathComponent("one"), dir.appendingPathComponent("two")) == [])
    }

    @Test func killedStudyResumesToSameBytes() throws {
        let dir = try makeTempDir("kill")
        try toyStudy(sleepMs: 15).write(to: dir.appendingPathComponent("toy.yaml"), atomically: true, encoding: .utf8)
        let (s0, _, e0) = try runBridge(["study", "run", "toy.yaml", "--workers", "2", "--out", "ref"], in: dir)
        #expect(s0 == 0, "\(e0)")
        // Kill points: after 1 and after 5 finished runs (more points with BRIDGE_LONG_TESTS=1).
        let long = ProcessInfo.processInfo.environment["BRIDGE_LONG_TESTS"] == "1"
        for killAfter in long ? [0, 1, 2, 3, 5, 7] : [1, 5] {
            let out = "killed\(killAfter)"
            let p = Process()
            p.executableURL = try bridgeBinary()
            p.arguments = ["study", "run", "toy.yaml", "--workers", "2", "--out", out]
            p.currentDirectoryURL = dir
            p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
            try p.run()
            let runs = dir.appendingPathComponent(out).appendingPathComponent("runs")
            func finished() -> Int {
                ((try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []).filter {
                    FileManager.default.fileExists(atPath: runs.appendingPathComponent($0).appendingPathComponent("result.json").path)
                }.count
            }
            let deadline = Date().addingTimeInterval(30)
            while finished() < killAfter, p.isRunning, Date() < deadline { usleep(2_000) }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            #expect(p.terminationReason == .uncaughtSignal, "the study finished before it could be killed")
            usleep(1_000_000) // orphaned workers notice their parent died within 0.2 s and exit (margin for a loaded machine)
            let settled = finished()
            usleep(300_000)
            #expect(finished() == settled, "an orphaned worker kept running after the study was killed")
            let (s, o, e) = try runBridge(["study", "run", "toy.yaml", "--workers", "2", "--out", out], in: dir)
            #expect(s == 0, "\(o)\(e)")
            #expect(try sameCSVs(dir.appendingPathComponent("ref"), dir.appendingPathComponent(out)) == [], "kill after \(killAfter) runs")
        }
    }

    @Test func preparedRunsExecutedOneByOneCollectToSameBytes() throws {
        let dir = try makeTempDir("prepare")
        try toyStudy(sleepMs: 0).write(to: dir.appendingPathComponent("toy.yaml"), atomically: true, encoding: .utf8)
        #expect(try runBridge(["study", "run", "toy.yaml", "--workers", "2", "--out", "ref"], in: dir).0 == 0)
        let (s, o, e) = try runBridge(["study", "run", "toy.yaml", "--out", "sharded", "--prepare-only"], in: dir)
        let folders = o.split(separator: "\n").map(String.init)
        #expect(s == 0 && folders.count == 8, "\(o)\(e)")
        for f in folders.reversed() { // any order, as a job array would
            #expect(try runBridge(["run", "--config", f + "/run.json", "--out", f], in: dir).0 == 0)
        }
        #expect(try runBridge(["study", "collect", "sharded"], in: dir).0 == 0)
        #expect(try sameCSVs(dir.appendingPathComponent("ref"), dir.appendingPathComponent("sharded")) == [])
    }

    @Test func badSpecExitsNonZeroWithLineAndSuggestion() throws {
        let dir = try makeTempDir("bad")
        try toyStudy(sleepMs: 0).replacingOccurrences(of: "seeds: 2", with: "sedes: 2")
            .write(to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let (s, _, e) = try runBridge(["study", "run", "bad.yaml"], in: dir)
        #expect(s != 0)
        #expect(e.contains("bad.yaml:9: 'sedes' is not a known key; did you mean 'seeds'?"), "\(e)")
        let (s2, _, e2) = try runBridge(["study", "run", "bad.yaml", "--workers", "0"], in: dir)
        #expect(s2 != 0 && e2.contains("--workers must be at least 1"), "\(e2)")
        let (s3, _, e3) = try runBridge(["study", "status", "nowhere"], in: dir)
        #expect(s3 != 0 && e3.contains("not a study folder"), "\(e3)")
    }

    @Test func singleRunWritesFilesAndFailureExitsNonZero() throws {
        let dir = try makeTempDir("run")
        try #"{"kind": "toy_quadratic", "config": {"steps": 5, "fail_at_step": 3}}"#.write(to: dir.appendingPathComponent("c.json"), atomically: true, encoding: .utf8)
        let (s, o, _) = try runBridge(["run", "--config", "c.json", "--out", "r"], in: dir)
        #expect(s == 1 && o.contains("failed: injected failure at step 3"), "\(o)")
        let result = try String(contentsOf: dir.appendingPathComponent("r/result.json"), encoding: .utf8)
        #expect(result.contains("\"status\": \"failed\""))
        try #"{"kind": "toy_quadratic", "config": {"steps": 5}}"#.write(to: dir.appendingPathComponent("ok.json"), atomically: true, encoding: .utf8)
        let (s2, _, e2) = try runBridge(["run", "--config", "ok.json", "--out", "ok"], in: dir)
        #expect(s2 == 0, "\(e2)")
        for f in ["run.json", "config.json", "metrics.csv", "result.json"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("ok/" + f).path), "missing \(f)")
        }
        // A bare config with --kind (here the run's own config.json) resolves to the same run id.
        let (s4, o4, e4) = try runBridge(["run", "--config", "ok/config.json", "--kind", "toy_quadratic", "--out", "ok2"], in: dir)
        let id = try String(contentsOf: dir.appendingPathComponent("ok/result.json"), encoding: .utf8)
            .split(separator: "\n").first { $0.contains("run_id") }.map(String.init) ?? "?"
        #expect(s4 == 0 && id.contains(String(o4.dropFirst(4).prefix(12))), "\(o4)\(e4) vs \(id)")
        let (s3, _, e3) = try runBridge(["run", "--config", "missing.json", "--out", "x"], in: dir)
        #expect(s3 != 0 && e3.contains("file not found"), "\(e3)")
    }

    @Test func listStatusCollectExport() throws {
        let dir = try makeTempDir("list")
        let studies = dir.appendingPathComponent("specs")
        try FileManager.default.createDirectory(at: studies, withIntermediateDirectories: true)
        try toyStudy(sleepMs: 0).write(to: studies.appendingPathComponent("toycli.yaml"), atomically: true, encoding: .utf8)
        let (s, o, _) = try runBridge(["study", "list", "--studies-dir", "specs"], in: dir)
        #expect(s == 0 && o.contains("toycli") && o.contains("Does heavy-ball momentum beat SGD on a noisy quadratic?"), "\(o)")
        let (sd, od, _) = try runBridge(["study", "run", "specs/toycli.yaml", "--dry-run"], in: dir)
        #expect(sd == 0 && od.contains("toycli: 8 runs = 4 parameter points × 2 seeds"), "\(od)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results").path), "--dry-run wrote files")
        #expect(try runBridge(["study", "run", "specs/toycli.yaml", "--workers", "2"], in: dir).0 == 0)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("results/toycli/manifest.json"))) as! [String: Any]
        for key in ["spec_text", "spec_text_sha256", "effective_spec_sha256", "code_version", "numerics", "toolchain", "host", "started_at", "finished_at"] {
            #expect(manifest[key] != nil && !(manifest[key] is NSNull), "manifest.json lacks \(key)")
        }
        #expect((manifest["spec_text"] as? String) == toyStudy(sleepMs: 0))
        #expect(((manifest["numerics"] as? [String: Any])?["openblas_config"] as? String)?.isEmpty == false)
        let blasCore = (manifest["numerics"] as? [String: Any])?["blas_core"] as? [String: Any]
        #expect((blasCore?["in_use"] as? String)?.isEmpty == false, "manifest.json lacks the OpenBLAS core in use")
        #expect((blasCore?["reason"] as? String)?.isEmpty == false, "manifest.json lacks why that core runs")
        #expect(blasCore?["source"] is String)
        let (s2, o2, _) = try runBridge(["study", "status", "results/toycli"], in: dir)
        #expect(s2 == 0 && o2.contains("8 total, 8 finished"), "\(o2)")
        #expect(try runBridge(["study", "collect", "results/toycli"], in: dir).0 == 0)
        let (s3, _, e3) = try runBridge(["study", "export", "results/toycli"], in: dir)
        #expect(s3 == 0, "\(e3)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("notebooks-export/toycli.ipynb").path))
    }
}
