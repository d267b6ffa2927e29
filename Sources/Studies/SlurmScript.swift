import BridgeSupport
import Foundation
import TensorCore

/// The three batch scripts of a submission, written into DIR/slurm/ to be read: the base-model job
/// array (setup.sbatch), the run job array (runs.sbatch) and the collect job (collect.sbatch). Every
/// path in them is absolute, because the jobs run on other machines that see the same shared filesystem.
struct SlurmScript {
    /// The study folder, the folder the jobs start in (relative cache paths resolve there), and the
    /// `bridge` executable the tasks run.
    var dir: URL
    var workdir: URL
    var executable: URL
    var study: String
    var options: SlurmOptions
    /// 1, 2, …: named in the comments and passed to the collect job.
    var submission: Int

    /// The logs folder: one file per job or array task (what Slurm and the task's shell print).
    var logs: URL { SlurmSubmission.folder(dir).appendingPathComponent("logs") }

    private func header(role: String, purpose: String, array: String?, submittedWith: String) -> String {
        var lines = [
            "#!/bin/bash",
            "# \(purpose)",
            "# Written by `bridge study submit` (submission \(submission) of study \(study)); submitted as",
            "#   \(submittedWith)",
            "# Slurm copies a script when it is submitted: editing this file changes no queued job.",
            "#SBATCH --job-name=\(study)-\(role)",
        ]
        if let array { lines.append("#SBATCH --array=\(array)") }
        let log = array == nil ? "\(role)-%j.log" : "\(role)-%A_%a.log"
        lines.append("#SBATCH --output=\(Shell.quotedIfNeeded(logs.appendingPathComponent(log).path))")
        lines.append("#SBATCH --chdir=\(Shell.quotedIfNeeded(workdir.path))")
        lines += options.directives.map { "#SBATCH \($0)" }
        lines += [
            "set -euo pipefail",
            "BRIDGE=\(Shell.quotedIfNeeded(executable.path))",
            "STUDY=\(Shell.quotedIfNeeded(dir.path))",
            "# OpenBLAS may start as many threads as this task has CPUs, never more. Each run computes on one",
            "# BLAS thread (the bytes of a local study); an OPENBLAS_CORETYPE set for the job is kept, otherwise",
            "# bridge chooses the core for this node's CPU.",
            "export OPENBLAS_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"",
            "# The kernel generation of the submitting process, which the manifest records (docs/kernels.md).",
            "export \(KernelGeneration.variable)=\(KernelGeneration.current.rawValue)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The bash array of run ids with one comment per line (task i takes entry i).
    private func list(_ runs: [(id: String, note: String)]) -> String {
        "RUNS=(\n" + runs.map { "  \($0.id)  # \($0.note.replacingOccurrences(of: "\n", with: " "))" }.joined(separator: "\n") + "\n)\n"
            + "RUN=${RUNS[$SLURM_ARRAY_TASK_ID]}\n"
    }

    private func arraySpec(_ count: Int) -> String {
        "0-\(count - 1)%\(min(options.maxRunning ?? count, count))"
    }

    /// Task i builds what run i shares with others (its base model), once, before any run starts.
    func setup(_ runs: [(id: String, note: String)]) -> String {
        header(role: "setup", purpose: "Base models of the study's runs: task i builds the shared artifacts of run RUNS[i].",
               array: arraySpec(runs.count), submittedWith: "sbatch --parsable setup.sbatch")
            + list(runs)
            + "echo \"task $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID on $(hostname) at $(date -u +%FT%TZ): shared artifacts of run $RUN\"\n"
            + "exec \"$BRIDGE\" study task \"$STUDY\" \"$RUN\" --shared\n"
    }

    /// Task i executes run i in its folder; its output goes to runs/<id>/worker.log, as in a local study.
    func runs(_ runs: [(id: String, note: String)], afterSetup: Bool) -> String {
        let with = afterSetup ? "sbatch --parsable --dependency=afterok:<setup job> --kill-on-invalid-dep=yes runs.sbatch" : "sbatch --parsable runs.sbatch"
        return header(role: "runs", purpose: "The study's pending runs: task i executes run RUNS[i] (a run already complete is left alone).",
                      array: arraySpec(runs.count), submittedWith: with)
            + list(runs)
            + "LOG=\"$STUDY/runs/$RUN/worker.log\"\n"
            + "echo \"task $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID on $(hostname) at $(date -u +%FT%TZ): run $RUN, output in $LOG\"\n"
            + "echo \"== Slurm job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname) at $(date -u +%FT%TZ)\" >> \"$LOG\"\n"
            + "exec \"$BRIDGE\" study task \"$STUDY\" \"$RUN\" >> \"$LOG\" 2>&1\n"
    }

    /// Runs once the array has ended, however it ended (afterany): the CSVs and manifest.json.
    func collect() -> String {
        header(role: "collect", purpose: "Collects the study's CSVs and completes manifest.json once the run array has ended.",
               array: nil, submittedWith: "sbatch --parsable --dependency=afterany:<runs job> collect.sbatch")
            + "exec \"$BRIDGE\" study collect \"$STUDY\" --submission \(submission)\n"
    }
}
