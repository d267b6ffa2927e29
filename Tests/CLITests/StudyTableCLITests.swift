import BridgeSupport
import Foundation
import Testing

@Suite(.serialized) struct StudyTableCLITests {
    /// The table shows, per group, the n/mean/intervals of summary.csv for the chosen column.
    @Test func tablePrintsSummaryRowsAndRejectsUnknownColumns() throws {
        let dir = try makeTempDir("table")
        try toyStudy(sleepMs: 0).write(to: dir.appendingPathComponent("toy.yaml"), atomically: true, encoding: .utf8)
        let (s0, _, e0) = try runBridge(["study", "run", "toy.yaml", "--workers", "2", "--out", "out"], in: dir)
        #expect(s0 == 0, "\(e0)")
        let (s1, o1, e1) = try runBridge(["study", "table", "out", "--metric", "train/loss:final", "--digits", "4"], in: dir)
        #expect(s1 == 0, "\(e1)")
        let summary = CSVTable.parse(try String(contentsOf: dir.appendingPathComponent("out/summary.csv"), encoding: .utf8))
        let col = { (name: String) in summary.header.firstIndex(of: name)! }
        let rows = summary.rows.filter { $0[col("metric")] == "train/loss:final" }
        #expect(rows.count == 4) // 2 methods × 2 learning rates
        for r in rows {
            let mean = String(format: "%.4f", Double(r[col("mean")])!)
            let line = "| \(r[col("method")]) | \(r[col("learning_rate")]) | \(r[col("n")]) | \(mean) |"
            #expect(o1.contains(line), "missing \(line) in\n\(o1)")
        }
        let (s2, _, e2) = try runBridge(["study", "table", "out", "--metric", "train/los:final"], in: dir)
        #expect(s2 != 0 && e2.contains("did you mean 'train/loss:final'?"), "\(e2)")
        let (s3, _, e3) = try runBridge(["study", "table", "nowhere"], in: dir)
        #expect(s3 != 0 && e3.contains("does not exist"), "\(e3)")
    }

    /// --timings prints wall time per group and, with compare_to, the paired ratio to the reference.
    @Test func timingsTablePrintsGroupsAndRatios() throws {
        let dir = try makeTempDir("table-timings")
        try (toyStudy(sleepMs: 0) + "compare_to: sgd\n").write(to: dir.appendingPathComponent("toy.yaml"), atomically: true, encoding: .utf8)
        let (s0, _, e0) = try runBridge(["study", "run", "toy.yaml", "--workers", "2", "--out", "out"], in: dir)
        #expect(s0 == 0, "\(e0)")
        let (s1, o1, e1) = try runBridge(["study", "table", "out", "--timings"], in: dir)
        #expect(s1 == 0, "\(e1)")
        #expect(o1.contains("**wall_s**") && o1.contains("ratio to sgd paired by seed") && o1.contains("÷ reference"), "\(o1)")
        #expect(o1.contains("| sgd | 0.05 | 2 |") && o1.contains("(reference)"), "\(o1)")
        let (s2, _, e2) = try runBridge(["study", "table", "out", "--timings", "--pivot"], in: dir)
        #expect(s2 != 0 && e2.contains("--timings"), "\(e2)")
    }

    /// With compare_to the table adds the paired differences of paired.csv, marked resolved or not.
    @Test func tablePrintsPairedDifferences() throws {
        let dir = try makeTempDir("table-paired")
        let spec = toyStudy(sleepMs: 0) + "compare_to: sgd\n"
        try spec.write(to: dir.appendingPathComponent("toy.yaml"), atomically: true, encoding: .utf8)
        let (s0, _, e0) = try runBridge(["study", "run", "toy.yaml", "--workers", "2", "--out", "out"], in: dir)
        #expect(s0 == 0, "\(e0)")
        let (s1, o1, e1) = try runBridge(["study", "table", "out", "--metric", "train/loss:final"], in: dir)
        #expect(s1 == 0, "\(e1)")
        #expect(o1.contains("Paired by seed, minus sgd"))
        let paired = CSVTable.parse(try String(contentsOf: dir.appendingPathComponent("out/paired.csv"), encoding: .utf8))
        let rows = paired.rows.filter { $0[3] == "train/loss:final" }
        #expect(rows.count == 2) // heavy_ball at 2 learning rates
        for r in rows { #expect(o1.contains("| heavy_ball | \(r[1]) | \(r[4]) | \(String(format: "%.3f", Double(r[5])!)) |"), "\(o1)") }
    }
}
