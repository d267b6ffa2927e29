import Foundation
import Testing

/// `bridge theory run / slopes`: outputs, slope table, and exit codes with fix-it text on bad input.
@Suite struct TheoryCLITests {
    @Test func runWritesFilesAndSlopesReadsThem() throws {
        let dir = try makeTempDir("theory")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (status, out, err) = try runBridge(["theory", "run", "--experiment", "quadratic_bias", "--out", "q",
                                                  "outer.methods=[]", "sweep.gamma=[1000,10000,100000,1000000]"], in: dir)
        #expect(status == 0, "stderr: \(err)")
        #expect(out.contains("bias_vs_gamma"))
        for f in ["config.json", "metrics.csv", "result.json", "slopes.csv"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("q/\(f)").path), "missing q/\(f)")
        }
        let (s2, table, e2) = try runBridge(["theory", "slopes", "q"], in: dir)
        #expect(s2 == 0, "stderr: \(e2)")
        #expect(table.contains("quadratic_bias") && table.contains("penalty_residual_vs_gamma"))
    }

    @Test func badInputExitsNonZeroWithAFix() throws {
        let dir = try makeTempDir("theory-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (s1, _, e1) = try runBridge(["theory", "run", "--experiment", "exact_r", "--out", "x"], in: dir)
        #expect(s1 != 0 && e1.contains("is not one of") && e1.contains("did you mean 'exact_rl'?"), "stderr: \(e1)")
        let (s2, _, e2) = try runBridge(["theory", "run", "--out", "x", "quadratic.mux=1"], in: dir)
        #expect(s2 != 0 && e2.contains("did you mean 'mu'"), "stderr: \(e2)")
        let (s3, _, e3) = try runBridge(["theory", "slopes", "missing-folder"], in: dir)
        #expect(s3 != 0, "stderr: \(e3)")
    }
}
