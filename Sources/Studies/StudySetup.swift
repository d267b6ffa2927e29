import BridgeSupport
import Foundation

/// Prepares a study folder for running: refuses a changed spec over an existing folder (unless forced),
/// writes study.json, and tells which runs are already complete (resume).
public enum StudySetup {
    /// The default output folder: results/<study>[-<preset>].
    public static func defaultOutDir(_ spec: StudySpec) -> String {
        "results/" + spec.name + (spec.preset.isEmpty ? "" : "-" + spec.preset)
    }

    /// Checks DIR/study.json against the spec and (re)writes it; returns the runs still to execute.
    public static func prepare(dir: URL, spec: StudySpec, runs: [PlannedRun], force: Bool) throws -> [PlannedRun] {
        let plan = StudyPlan(spec: spec, runs: runs)
        let fm = FileManager.default
        if fm.fileExists(atPath: dir.appendingPathComponent(StudyPlan.fileName).path) {
            let old = try StudyPlan.read(from: dir)
            if old.specHash != plan.specHash && !force {
                throw ConfigError.invalid(
                    source: dir.path, path: StudyPlan.fileName, line: nil,
                    message: "this folder holds study '\(old.name)'\(old.preset.isEmpty ? "" : " (preset \(old.preset))") with a different effective spec (hash \(old.specHash.prefix(12)) ≠ \(plan.specHash.prefix(12))): base config, axes, seeds, metrics, preset or overrides changed",
                    fix: "use another --out folder, or pass --force to rerun into this one (finished runs whose config is unchanged are kept; runs.csv will list only the new spec's runs)")
            }
        } else if fm.fileExists(atPath: dir.path),
                  let items = try? fm.contentsOfDirectory(atPath: dir.path), !items.filter({ !$0.hasPrefix(".") }).isEmpty, !force {
            throw ConfigError.invalid(source: dir.path, path: "--out", line: nil,
                                      message: "the folder exists, is not empty and is not a study folder",
                                      fix: "choose an empty or new --out folder, or pass --force")
        }
        // study.json first: a folder a failed write (a full disk) leaves behind is still this study's.
        try plan.write(to: dir)
        try FileProblem.createFolder(dir.appendingPathComponent("runs"))
        var pending: [PlannedRun] = []
        for run in runs where !RunRecord.isComplete(dir: dir, run: run) {
            try AtomicFile.write(run.runConfig.prettyJSON, to: StudyPlan.runDir(dir, run.runId).appendingPathComponent(RunExecution.runFileName))
            pending.append(run)
        }
        return pending
    }
}
