import BridgeSupport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Studies
import Testing

@Suite struct CollectorTests {
    @Test func csvSchemaSnapshots() throws {
        let dir = try temporaryFolder("schema")
        try runInProcess(toySpecText, dir: dir, preset: "quick")
        let header = { (f: String) in try read(dir, f).split(separator: "\n").first.map(String.init) ?? "" }
        #expect(try header("runs.csv") == "run_id,study,kind,method,seed,learning_rate,train/loss:final,train/loss:min,train/loss:mean_last5,train/loss:auc,eval/toy/fit:final,eval/toy/fit:max,eval/toy/fit:peak_drop,eval/toy/fit:bwt,eval/toy/fit:drop_step,eval/toy/retention:peak_drop,eval/toy/retention:bwt,eval/toy/retention:drop_step,status,error")
        #expect(try header("metrics.csv") == "run_id,step,metric,value")
        #expect(try header("summary.csv") == "method,learning_rate,metric,n,n_not_finished,mean,std,stderr,ci95_low,ci95_high,boot_low,boot_high")
        #expect(try header("timings.csv") == "run_id,status,wall_s,tokens_per_s,peak_rss_mb,steps_per_s")
        let runs = CSVTable.parse(try read(dir, "runs.csv"))
        #expect(runs.rows.count == 8 && runs.rows.allSatisfy { $0.last == "" && $0[$0.count - 2] == "finished" })
        let summary = CSVTable.parse(try read(dir, "summary.csv"))
        #expect(summary.rows.count == 4 * 12) // 4 groups × 12 value columns
    }

    @Test func summaryRowsMatchRunsCsv() throws {
        let dir = try temporaryFolder("match")
        try runInProcess(toySpecText, dir: dir)
        let runs = CSVTable.parse(try read(dir, "runs.csv")), summary = CSVTable.parse(try read(dir, "summary.csv"))
        let col = runs.header.firstIndex(of: "train/loss:final")!
        let x = runs.rows.filter { $0[3] == "heavy_ball" && $0[5] == "0.2" }.map { Double($0[col])! }
        let row = summary.rows.first { $0[0] == "heavy_ball" && $0[1] == "0.2" && $0[2] == "train/loss:final" }!
        #expect(x.count == 3 && row[3] == "3")
        let s = Statistics.summarise(x, streamName: "method=heavy_ball,learning_rate=0.2/train/loss:final")
        #expect(row[5] == Format.number(s.mean!) && row[8] == Format.number(s.ciLow!) && row[10] == Format.number(s.bootLow!))
    }

    @Test func sameStudyTwiceGivesSameBytes() throws {
        let a = try temporaryFolder("det-a"), b = try temporaryFolder("det-b")
        try runInProcess(toySpecText, dir: a)
        try runInProcess(toySpecText, dir: b)
        for f in ["runs.csv", "metrics.csv", "summary.csv", "study.json"] {
            #expect(try read(a, f) == read(b, f), "\(f) differs")
        }
    }

    @Test func resumeRecomputesOnlyUnfinishedAndMatches() throws {
        let a = try temporaryFolder("res-a"), b = try temporaryFolder("res-b")
        try runInProcess(toySpecText, dir: a)
        try runInProcess(toySpecText, dir: b)
        // Simulate a kill: one run lost its result, another has a torn metrics file and no result.
        let plan = try StudyPlan.read(from: b)
        let r1 = StudyPlan.runDir(b, plan.runs[1].runId), r5 = StudyPlan.runDir(b, plan.runs[5].runId)
        try FileManager.default.removeItem(at: r1.appendingPathComponent("result.json"))
        try FileManager.default.removeItem(at: r5.appendingPathComponent("result.json"))
        try "run_id,step,metric,value\nxx,1,train/loss".write(to: r5.appendingPathComponent("metrics.csv"), atomically: false, encoding: .utf8)
        let stamp = try FileManager.default.attributesOfItem(atPath: StudyPlan.runDir(b, plan.runs[0].runId).appendingPathComponent("result.json").path)[.modificationDate] as! Date
        try Collector(dir: b).writeAll()
        #expect(try Collector(dir: b).counts.pending == 2)
        try runInProcess(toySpecText, dir: b)
        for f in ["runs.csv", "metrics.csv", "summary.csv"] { #expect(try read(a, f) == read(b, f), "\(f) differs after resume") }
        let after = try FileManager.default.attributesOfItem(atPath: StudyPlan.runDir(b, plan.runs[0].runId).appendingPathComponent("result.json").path)[.modificationDate] as! Date
        #expect(after == stamp, "a finished run was recomputed")
    }

    @Test func studyFolderLockIsExclusive() throws {
        let dir = try temporaryFolder("lock")
        var first: StudyLock? = try StudyLock(dir: dir)
        let e = errorText { _ = try StudyLock(dir: dir) }
        #expect(e.contains("another `bridge study run` or `bridge study submit` (pid \(getpid())) is writing this folder"), "got: \(e)")
        first = nil
        #expect(throws: Never.self) { _ = try StudyLock(dir: dir) }
        _ = first
    }

    @Test func changedSpecIsRefusedUnlessForced() throws {
        let dir = try temporaryFolder("changed")
        try runInProcess(toySpecText, dir: dir, preset: "quick")
        let e = errorText { try runInProcess(toySpecText, dir: dir, preset: "quick", overrides: ["noise=0.3"]) }
        #expect(e.contains("different effective spec") && e.contains("--force"), "got: \(e)")
        try runInProcess(toySpecText, dir: dir, preset: "quick", overrides: ["noise=0.3"], force: true)
        #expect(try Collector(dir: dir).plan.runs.count == 8)
    }

    @Test func failedAndDivergedRunsAreRecordedAndDoNotStopOthers() throws {
        let text = toySpecText.replacingOccurrences(of: "    learning_rate: [0.05, 0.2]", with: "    fail_at_step: [-1, 3]\n    learning_rate: [0.05, 5]")
            .replacingOccurrences(of: "steps: 30", with: "steps: 300")
        let dir = try temporaryFolder("failed")
        let failed = try runInProcess(text, dir: dir, preset: "quick")
        #expect(failed == 8)
        let runs = CSVTable.parse(try read(dir, "runs.csv"))
        let status = runs.header.firstIndex(of: "status")!
        #expect(runs.rows.filter { $0[status] == "failed" }.allSatisfy { $0[status + 1] == "injected failure at step 3 (fail_at_step)" })
        #expect(runs.rows.filter { $0[status] == "diverged" }.count == 4)
        #expect(runs.rows.filter { $0[status] == "finished" }.count == 4)
        let summary = CSVTable.parse(try read(dir, "summary.csv"))
        // Groups with only failed or diverged runs have n = 0 and empty statistics.
        #expect(summary.rows.contains { $0[4] == "0" && $0[5] == "2" && $0[6] == "" })
    }

    @Test func exportWritesNotebookAndFigures() throws {
        let dir = try temporaryFolder("export")
        try runInProcess(toySpecText, dir: dir, preset: "quick")
        let nbDir = dir.appendingPathComponent("nb")
        let url = try NotebookExport(collector: try Collector(dir: dir)).write(notebookDir: nbDir)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        #expect(json["nbformat"] as? Int == 4)
        let cells = json["cells"] as! [[String: Any]]
        #expect(cells.contains { ($0["source"] as! [String]).joined().contains("pd.read_csv(f\"{DIR}/summary.csv\", dtype=text)") })
        #expect(cells.contains { ($0["source"] as! [String]).joined().contains("pivot = rows.pivot(") })
        #expect(cells.allSatisfy { $0["cell_type"] as? String == "markdown" || ($0["outputs"] as? [Any])?.isEmpty == true })
        // No compare_to, not a train study: neither the paired nor the timings cells.
        #expect(!cells.contains { ($0["source"] as! [String]).joined().contains("paired.csv") })
        #expect(!cells.contains { ($0["source"] as! [String]).joined().contains("timings.csv") })
        let figures = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("figures").path).sorted()
        #expect(figures == ["curve-train_loss.svg", "groups-eval_toy_fit_final.svg", "groups-train_loss_final.svg"], "\(figures)")
        let svg = try read(dir, "figures/groups-train_loss_final.svg")
        // 4 groups: 4 filled means, 2 seeds each as hollow dots
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n") && svg.components(separatedBy: "r=\"3.2\"").count - 1 == 4)
        #expect(svg.components(separatedBy: "r=\"2.2\"").count - 1 == 8 && svg.contains(">n=2</text>"))
        #expect(XMLParser(data: Data(svg.utf8)).parse(), "SVG is not well-formed XML")
    }

    /// With compare_to the notebook shows paired.csv's differences under the reference's label.
    @Test func exportWithAReferenceAddsThePairedCell() throws {
        let dir = try temporaryFolder("export-paired")
        try runInProcess(PairedTests.withReference("{learning_rate: 0.05}"), dir: dir, preset: "quick")
        let url = try NotebookExport(collector: try Collector(dir: dir)).write(notebookDir: dir.appendingPathComponent("nb"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let sources = (json["cells"] as! [[String: Any]]).map { ($0["source"] as! [String]).joined() }
        #expect(sources.contains { $0.contains("pd.read_csv(f\"{DIR}/paired.csv\", dtype=text)") && $0.contains("paired_cell") })
        #expect(sources.contains { $0.contains("Paired differences to `learning_rate=0.05`") })
    }
}
