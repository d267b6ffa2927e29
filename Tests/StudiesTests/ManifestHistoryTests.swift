import BridgeSupport
import Foundation
import Studies
import Testing

/// manifest.json's `history`: a later execution of a folder (resume, re-collection under a changed spec)
/// keeps the earlier executions' times, commands and spec hashes.
@Suite struct ManifestHistoryTests {
    func manifest(_ dir: URL) throws -> ConfigValue {
        try ConfigValue.parseYAML(try read(dir, "manifest.json"), source: "manifest.json").value
    }

    @Test func reExecutionsKeepTheEarlierOnesOldestFirst() throws {
        let dir = try temporaryFolder("manifest-history")
        try runInProcess(toySpecText, dir: dir)
        let first = try manifest(dir)
        #expect(first["history"] == nil, "a first execution has no history")

        // A changed spec (a reference added) re-collected with force: the first execution moves to history.
        let changed = toySpecText.replacingOccurrences(of: "forgetting: [eval/toy/*]", with: "forgetting: [eval/toy/*]\ncompare_to: sgd")
        try runInProcess(changed, dir: dir, force: true)
        let second = try manifest(dir)
        guard case let .array(h1)? = second["history"] else { Issue.record("no history after a re-execution"); return }
        #expect(h1.count == 1)
        for key in ["started_at", "finished_at", "effective_spec_sha256", "command", "code_version"] {
            #expect(h1[0][key] == first[key], "history keeps the first execution's \(key)")
        }
        #expect(second["effective_spec_sha256"] != first["effective_spec_sha256"])

        // A third execution (same spec: a resume with nothing to run) appends the second.
        try runInProcess(changed, dir: dir)
        guard case let .array(h2)? = try manifest(dir)["history"] else { Issue.record("history lost"); return }
        #expect(h2.count == 2 && h2[0] == h1[0])
        #expect(h2[1]["started_at"] == second["started_at"] && h2[1]["effective_spec_sha256"] == second["effective_spec_sha256"])
    }
}
