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
        let committed = dir.appendingPathComponent("committed")
        try FileManager.default.createDirectory(at: committed, withIntermediateDirectories: true)
        for f in ["study.json", "manifest.json", "metrics.csv", "runs.csv", "summary.csv"] {
            try FileManager.default.copyItem(at: dir.appendingPathComponent("out/" + f), to: committed.appendingPathComponent(f))
        }
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
}
