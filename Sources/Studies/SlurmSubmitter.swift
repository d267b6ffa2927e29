import BridgeSupport
import Foundation
import TensorCore

/// Submits a prepared study folder's pending runs to Slurm: a job array that builds the shared
/// artifacts still missing (base models), the run array after it (afterok), and the collect job after
/// the run array (afterany). Assumes what every cluster user of a study needs anyway: the study folder,
/// the working folder and the `bridge` executable are on a filesystem all nodes share.
struct SlurmSubmitter {
    var dir: URL
    var workdir: URL
    var executable: URL
    var options: SlurmOptions
    var study: String

    /// A Slurm command that is missing or refused (sbatch not installed, an option the cluster rejects).
    static func missing(_ tool: String) -> ConfigError {
        .invalid(source: tool, path: "PATH", line: nil, message: "\(tool) is not on PATH: this machine is not a Slurm submit host",
                 fix: "run `bridge study submit` on the cluster's login node, or run the study here with `bridge study run` (scripts/slurm-local.sh start gives this machine a one-node Slurm for trying it)")
    }

    /// Refuses while an earlier submission's base-model or run tasks are queued or running: a second
    /// array over the same runs would compute them twice and race on their folders.
    static func checkNoActiveSubmission(dir: URL) throws {
        guard let last = SlurmSubmission.all(in: dir).last else { return }
        let jobs = (last.setupJob.map { [$0] } ?? []) + [last.runsJob]
        let states = SlurmQueue.states(jobs: jobs)
        let active = states.filter { $0.value.isActive }
        guard !active.isEmpty else { return }
        let running = active.values.filter { $0.state == "RUNNING" }.count
        throw ConfigError.invalid(source: dir.path, path: "slurm/submissions.json", line: nil,
                                  message: "submission \(last.number) of this study is still in the queue (jobs \(jobs.joined(separator: ", ")): \(running) task(s) running, \(active.count - running) waiting)",
                                  fix: "wait for it to end (`bridge study status \(dir.path)`), or cancel it with `scancel \(last.jobs.joined(separator: " "))` and submit again: finished runs are kept")
    }

    /// Writes the scripts, submits them and records them as submission `number`; `pending` must not be empty.
    func submit(pending: [PlannedRun], kind: any RunKind, number: Int) throws -> SlurmSubmission {
        guard ExternalCommand.find("sbatch") != nil else { throw SlurmSubmitter.missing("sbatch") }
        let script = SlurmScript(dir: dir, workdir: workdir, executable: executable, study: study, options: options, submission: number)
        let folder = SlurmSubmission.folder(dir)
        try FileProblem.createFolder(script.logs)

        // Each missing shared artifact once, built by the first pending run that needs it.
        var seen = Set<String>(), setupRuns: [(id: String, note: String)] = []
        for run in pending {
            let missing = try kind.sharedArtifacts(resolved: run.config).filter { !$0.isBuilt && !seen.contains($0.id) }
            guard !missing.isEmpty else { continue }
            missing.forEach { seen.insert($0.id) }
            setupRuns.append((run.runId, missing.map(\.summary).joined(separator: "; ")))
        }
        let runs = pending.map { (id: $0.runId, note: StudyExpansion.describe($0.point, seed: $0.seed)) }
        if !setupRuns.isEmpty { try AtomicFile.write(script.setup(setupRuns), to: folder.appendingPathComponent("setup.sbatch")) }
        try AtomicFile.write(script.runs(runs, afterSetup: !setupRuns.isEmpty), to: folder.appendingPathComponent("runs.sbatch"))
        try AtomicFile.write(script.collect(), to: folder.appendingPathComponent("collect.sbatch"))

        var submitted: [String] = []
        func sbatch(_ args: [String], _ file: String) throws -> String {
            let env = BLASCoreSetup.environmentForOtherMachines()
            guard let r = ExternalCommand.run("sbatch", ["--parsable"] + args + [folder.appendingPathComponent(file).path], environment: env, directory: workdir) else {
                throw SlurmSubmitter.missing("sbatch")
            }
            let id = r.output.split(separator: "\n").last.map { String($0.split(separator: ";").first ?? "") } ?? ""
            guard r.status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
                if !submitted.isEmpty { _ = ExternalCommand.run("scancel", submitted) } // this submission's own jobs
                throw ConfigError.invalid(source: folder.appendingPathComponent(file).path, path: "sbatch", line: nil,
                                          message: "sbatch refused the script (exit \(r.status)): \(r.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines))",
                                          fix: "check the Slurm options (the spec's slurm: section and the command-line flags: partition, account, qos, time, mem); no job of this submission stays queued")
            }
            submitted.append(id)
            return id
        }
        var setupJob: String? = nil
        var runArgs: [String] = []
        if !setupRuns.isEmpty {
            setupJob = try sbatch([], "setup.sbatch")
            // A base model that cannot be built fails its task; the runs that need it would fail too, so
            // the array is cancelled instead of waiting forever.
            runArgs = ["--dependency=afterok:\(setupJob!)", "--kill-on-invalid-dep=yes"]
        }
        let runsJob = try sbatch(runArgs, "runs.sbatch")
        let collectJob = try sbatch(["--dependency=afterany:\(runsJob)"], "collect.sbatch")
        let submission = SlurmSubmission(number: number, submittedAt: Date(), setupJob: setupJob, setupRuns: setupRuns.map(\.id),
                                         runsJob: runsJob, runs: runs.map(\.id), collectJob: collectJob, options: options)
        try SlurmSubmission.append(submission, in: dir)
        return submission
    }
}
