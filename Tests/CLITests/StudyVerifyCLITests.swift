import BridgeSupport
import Foundation
import Testing

@Suite(.serialized) struct StudyVerifyCLITests {
    /// `bridge study verify` on a folder holding only the committed files: identical runs exit 0, a
    /// changed committed value exits non-zero and names the run.
    @Test func verifyRecomputesAndComparesCommittedRows() throws {
        let dir = try makeTempDir("verify")
        try toyStudy(sleepMs: 0).write(to: dir.appendingPathComponent("toy.yaml"), atomically: true, encoding: .utf8)
        let (s0, _, e0) = try runBridge(["study", "run", "toy.yaml", "--workers", "2", "--out", "out"], in: dir)
        #expect(s0 == 0, "\(e0)")
        let committed = try commitCopy(in: dir)
        let (s1, o1, e1) = try runBridge(["study", "verify", "committed", "--all", "--workers", "2", "--out", "v1"], in: dir)
        #expect(s1 == 0, "\(o1)\(e1)")
        #expect(o1.contains("all 8 recomputed runs equal the committed rows byte for byte"), "\(o1)")

        let url = committed.appendingPathComponent("runs.csv")
        var lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        let runId = String(lines[1].prefix { $0 != "," })
        lines[1] = lines[1].replacingOccurrences(of: ",finished,", with: ",failed,")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        let (s2, o2, e2) = try runBridge(["study", "verify", "committed", "--run-id", runId, "--out", "v2"], in: dir)
        #expect(s2 != 0 && o2.contains("DIFFERS   \(runId)") && e2.contains("1 of 1 recomputed runs differ"), "\(o2)\(e2)")
    }

    /// DIR/committed holding what a study folder DIR/out commits (its CSVs, study.json and manifest.json),
    /// as a committed docs/results folder does.
    func commitCopy(in dir: URL) throws -> URL {
        let committed = dir.appendingPathComponent("committed")
        try FileManager.default.createDirectory(at: committed, withIntermediateDirectories: true)
        for f in ["study.json", "manifest.json", "metrics.csv", "runs.csv", "summary.csv"] {
            try FileManager.default.copyItem(at: dir.appendingPathComponent("out/" + f), to: committed.appendingPathComponent(f))
        }
        return committed
    }

    /// The core this machine runs by default, in a fresh folder holding toy.yaml, with the environment that
    /// runs Sandybridge instead (AVX: it runs on every CPU this project builds natively for); nil where
    /// Sandybridge is the default already or there is no better core (the test has nothing to show there).
    func toyStudyOnAnotherCore(_ name: String) throws -> (dir: URL, core: String, named: [String: String?])? {
        let dir = try makeTempDir(name)
        let plain = try runBridge(["doctor", "--json"], in: dir, environment: DoctorCLITests.clean)
        let core = try #require((try JSONSerialization.jsonObject(with: Data(plain.out.utf8)) as? [String: Any])?["blas_core"] as? [String: Any])
        guard core["best_for_cpu"] is String, let inUse = core["in_use"] as? String, inUse != "Sandybridge" else {
            try? FileManager.default.removeItem(at: dir)
            return nil
        }
        try toyStudy(sleepMs: 0).write(to: dir.appendingPathComponent("toy.yaml"), atomically: true, encoding: .utf8)
        return (dir, inUse, DoctorCLITests.clean.merging(["BRIDGE_BLAS_CORE": "Sandybridge"]) { $1 })
    }

    /// A study computed on this CPU kind with another OpenBLAS core (here named by hand) is verified on
    /// that core: verify restarts itself with it, its workers inherit it, and it says so. A core the
    /// user set in OPENBLAS_CORETYPE is kept instead, with a note.
    @Test func verifyRunsOnTheCommittedCore() throws {
        guard let (dir, inUse, named) = try toyStudyOnAnotherCore("verify-core") else { return }
        defer { try? FileManager.default.removeItem(at: dir) }
        let (s0, _, e0) = try runBridge(["study", "run", "toy.yaml", "--out", "out"], in: dir, environment: named)
        #expect(s0 == 0, "\(e0)")
        let manifest = try String(contentsOf: dir.appendingPathComponent("out/manifest.json"), encoding: .utf8)
        #expect(manifest.contains("\"in_use\": \"Sandybridge\""), "\(manifest)")
        let committed = try commitCopy(in: dir)
        let (s1, o1, e1) = try runBridge(["study", "verify", "committed", "--sample", "2", "--workers", "2", "--out", "v1"], in: dir,
                                         environment: DoctorCLITests.clean)
        #expect(s1 == 0, "\(o1)\(e1)")
        #expect(o1.contains("running on OpenBLAS core Sandybridge, the core the study was computed with"), "\(o1)")
        #expect(!o1.contains("note: committed on"), "\(o1)")
        let recomputed = try String(contentsOf: dir.appendingPathComponent("v1/manifest.json"), encoding: .utf8)
        #expect(recomputed.contains("\"in_use\": \"Sandybridge\"") && recomputed.contains("bridge-verify"), "\(recomputed)")

        let user = DoctorCLITests.clean.merging(["OPENBLAS_CORETYPE": inUse]) { $1 }
        let (s2, o2, e2) = try runBridge(["study", "verify", "committed", "--sample", "1", "--out", "v2"], in: dir, environment: user)
        #expect(s2 == 0, "\(o2)\(e2)")
        #expect(o2.contains("note: committed on") && o2.contains("was set before bridge started and is kept"), "\(o2)")
    }

    /// A study resumed under another core than its finished runs used says so and names the fix; resumed
    /// on the same core, or with nothing left to run, it says nothing.
    @Test func resumingUnderAnotherCoreSaysSo() throws {
        guard let (dir, inUse, named) = try toyStudyOnAnotherCore("resume-core") else { return }
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try runBridge(["study", "run", "toy.yaml", "--out", "out"], in: dir, environment: named).status == 0)
        func dropOneRun() throws {
            let runs = dir.appendingPathComponent("out/runs")
            let first = try #require(try FileManager.default.contentsOfDirectory(atPath: runs.path).sorted().first)
            try FileManager.default.removeItem(at: runs.appendingPathComponent(first))
        }
        try dropOneRun()
        let same = try runBridge(["study", "run", "toy.yaml", "--out", "out"], in: dir, environment: named)
        #expect(same.status == 0 && !same.err.contains("note: this study's finished runs"), "\(same.err)")
        try dropOneRun()
        let other = try runBridge(["study", "run", "toy.yaml", "--out", "out"], in: dir, environment: DoctorCLITests.clean)
        #expect(other.status == 0, "\(other.err)")
        #expect(other.err.contains("note: this study's finished runs were computed on OpenBLAS core Sandybridge")
                && other.err.contains("this process runs \(inUse)") && other.err.contains("BRIDGE_BLAS_CORE=Sandybridge"),
                "\(other.err)")
        let done = try runBridge(["study", "run", "toy.yaml", "--out", "out"], in: dir, environment: named)
        #expect(done.status == 0 && !done.err.contains("note: this study's"), "nothing left to run: \(done.err)")
    }

    /// A study's runs keep the kernel generation they were computed with: the manifest records it (a
    /// manifest from before generations existed means 1), verify recomputes with it, and adding runs
    /// under another generation is refused with the fix; BRIDGE_KERNELS=1 continues the study.
    @Test func kernelGenerationFollowsTheStudy() throws {
        let dir = try makeTempDir("verify-kernels")
        defer { try? FileManager.default.removeItem(at: dir) }
        try toyStudy(sleepMs: 0).write(to: dir.appendingPathComponent("toy.yaml"), atomically: true, encoding: .utf8)
        let one = DoctorCLITests.clean.merging(["BRIDGE_KERNELS": "1"]) { $1 }
        let (s0, _, e0) = try runBridge(["study", "run", "toy.yaml", "--out", "out"], in: dir, environment: one)
        #expect(s0 == 0, "\(e0)")
        let manifestURL = dir.appendingPathComponent("out/manifest.json")
        #expect(try String(contentsOf: manifestURL, encoding: .utf8).contains("\"kernels\": 1"))

        // A committed copy whose manifest predates the field: generation 1.
        let committed = try commitCopy(in: dir)
        let old = try String(contentsOf: committed.appendingPathComponent("manifest.json"), encoding: .utf8)
        let stripped = old.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("\"kernels\": 1") }
        try stripped.joined(separator: "\n").write(to: committed.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
        let (s1, o1, e1) = try runBridge(["study", "verify", "committed", "--sample", "2", "--workers", "2", "--out", "v"], in: dir,
                                         environment: DoctorCLITests.clean)
        #expect(s1 == 0, "\(o1)\(e1)")
        #expect(o1.contains("running kernel generation 1, the generation the study was computed with"), "\(o1)")
        #expect(try String(contentsOf: dir.appendingPathComponent("v/manifest.json"), encoding: .utf8).contains("\"kernels\": 1"))

        let runs = dir.appendingPathComponent("out/runs")
        let first = try #require(try FileManager.default.contentsOfDirectory(atPath: runs.path).sorted().first)
        try FileManager.default.removeItem(at: runs.appendingPathComponent(first))
        let refused = try runBridge(["study", "run", "toy.yaml", "--out", "out"], in: dir, environment: DoctorCLITests.clean)
        #expect(refused.status != 0, "\(refused.out)")
        #expect(refused.err.contains("numerics.kernels") && refused.err.contains("computed with kernel generation 1")
                && refused.err.contains("BRIDGE_KERNELS=1"), "\(refused.err)")
        #expect(!FileManager.default.fileExists(atPath: runs.appendingPathComponent(first).path), "a refused resume ran nothing")
        let resumed = try runBridge(["study", "run", "toy.yaml", "--out", "out"], in: dir, environment: one)
        #expect(resumed.status == 0, "\(resumed.err)")
    }
}
