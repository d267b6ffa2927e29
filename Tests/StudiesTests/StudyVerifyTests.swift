import BridgeSupport
import Foundation
import Studies
import Testing

/// `StudyVerification`: recomputing runs of a committed (CSV-only) study folder and comparing their rows.
@Suite struct StudyVerifyTests {
    /// Runs the toy study and copies what a repository commits (no run folders) into another folder.
    func committedToy() throws -> URL {
        let run = try temporaryFolder("verify-run")
        try runInProcess(toySpecText, dir: run, preset: "quick")
        let committed = try temporaryFolder("verify-committed")
        for f in ["study.json", "manifest.json", "metrics.csv", "runs.csv", "summary.csv"] {
            try FileManager.default.copyItem(at: run.appendingPathComponent(f), to: committed.appendingPathComponent(f))
        }
        return committed
    }

    func verify(_ committed: URL, _ ids: [String]? = nil) throws -> (StudyVerification, [StudyVerification.Outcome]) {
        let out = try temporaryFolder("verify-out")
        let v = try StudyVerification(committed: committed, kinds: [ToyQuadraticKind()], out: out.path)
        let outcomes = try v.run(ids ?? v.sample(100), executor: .local(.inProcess(kinds: [ToyQuadraticKind()]), workers: 1, progress: quietProgress()))
        return (v, outcomes)
    }

    @Test func recomputedRunsEqualTheCommittedRows() throws {
        let (v, outcomes) = try verify(try committedToy())
        #expect(outcomes.count == v.plan.runs.count && outcomes.count == 8)
        for o in outcomes {
            #expect(o.difference == nil, "\(o.runId): \(String(describing: o.difference))")
            #expect(o.rows > 1 && o.status == "finished")
        }
    }

    @Test func aChangedCommittedValueIsReportedWithItsLine() throws {
        let committed = try committedToy()
        let url = committed.appendingPathComponent("metrics.csv")
        var lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        var cells = lines[5].split(separator: ",").map(String.init)
        let runId = cells[0]
        cells[3] = Format.number(Double(cells[3])! + 1e-12)
        let tampered = cells.joined(separator: ",")
        lines[5] = tampered
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        let (_, outcomes) = try verify(committed)
        let bad = outcomes.filter { $0.difference != nil }
        #expect(bad.map(\.runId) == [runId])
        #expect(bad.first?.difference?.committed == tampered)
    }

    @Test func aSampleSpreadsOverThePlanAndUnknownRunsAreRefused() throws {
        let committed = try committedToy()
        let v = try StudyVerification(committed: committed, kinds: [ToyQuadraticKind()], out: try temporaryFolder("verify-out").path)
        let ids = v.plan.runs.map(\.runId)
        #expect(v.sample(2) == [ids[0], ids[4]])
        #expect(v.sample(1) == [ids[0]])
        let message = errorText { _ = try v.run([ids[0] + "x"], executor: .local(.inProcess(kinds: [ToyQuadraticKind()]), workers: 1, progress: quietProgress())) }
        #expect(message.contains("not a run of this study") && message.contains("did you mean '\(ids[0])'?"), "\(message)")
    }

    /// A recorded spec that no longer expands to the committed study (here: edited) is refused, naming
    /// the code version to check out.
    @Test func aSpecThatNoLongerMatchesIsRefused() throws {
        let committed = try committedToy()
        let url = committed.appendingPathComponent("manifest.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains("steps: 30"))
        try text.replacingOccurrences(of: "steps: 30", with: "steps: 31").write(to: url, atomically: true, encoding: .utf8)
        let message = errorText { _ = try StudyVerification(committed: committed, kinds: [ToyQuadraticKind()], out: nil) }
        #expect(message.contains("expands to another study") && message.contains("code_version"), "\(message)")
    }
}
