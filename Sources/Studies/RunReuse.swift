import BridgeSupport
import Foundation

/// `bridge study run --reuse FOLDER`: takes finished runs from other study folders instead of computing
/// them again. A run id is the SHA-256 of the run's resolved config, and a run is bitwise reproducible
/// from it (`bridge study verify`), so a finished run of another study with the same id and config is
/// this run: its folder is copied, not recomputed. Its timings are those of the study that computed it,
/// so a study that measures wall time (cost) should not reuse; the manifest names every reused run.
public enum RunReuse {
    /// One reused run: its id and the folder it came from.
    public struct Reused: Equatable { public var runId: String; public var from: String }

    /// Copies, for each of `pending`, a finished run with the same id and config from the first of
    /// `sources` (study folders with run folders) that has one; returns what it copied. The pending run's
    /// folder (an incomplete run: its checkpoint, a partial metrics.csv) is replaced whole, so nothing of it
    /// stays beside the copy. result.json is copied last, so a copy interrupted (a full disk) leaves an
    /// incomplete run that is computed as usual.
    public static func copy(_ pending: [PlannedRun], from sources: [URL], into dir: URL) throws -> [Reused] {
        for s in sources {
            guard FileManager.default.fileExists(atPath: s.appendingPathComponent("runs").path) else {
                throw FileProblem(path: s.path, what: "not a study folder with run folders (no runs/): a committed folder keeps only CSVs, which cannot be reused",
                                  fix: "pass the folder `bridge study run` computed the runs in (e.g. results/<study>-<preset>)")
            }
        }
        var reused: [Reused] = []
        for run in pending {
            for s in sources where RunRecord.isComplete(dir: s, run: run) && RunRecord.read(dir: s, runId: run.runId).status == "finished" {
                let from = StudyPlan.runDir(s, run.runId), to = StudyPlan.runDir(dir, run.runId)
                let fm = FileManager.default
                if fm.fileExists(atPath: to.path) {
                    do { try fm.removeItem(at: to) } catch {
                        throw FileProblem(url: to, error: error, action: "replace the incomplete run folder with the reused run")
                    }
                }
                try FileProblem.createFolder(to)
                let names = try fm.contentsOfDirectory(atPath: from.path).filter { $0 != ".lock" && $0 != "result.json" }.sorted() + ["result.json"]
                for name in names {
                    let target = to.appendingPathComponent(name)
                    do {
                        try fm.copyItem(at: from.appendingPathComponent(name), to: target)
                    } catch {
                        throw FileProblem(url: target, error: error, action: "copy the reused run's \(name)")
                    }
                }
                reused.append(Reused(runId: run.runId, from: s.path))
                break
            }
        }
        return reused
    }
}
