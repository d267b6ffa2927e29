import Foundation

/// The Slurm side of `bridge study status`: for every run, the array task of the latest submission that
/// included it and what Slurm says about that task; for the latest submission, its jobs at a glance.
/// Built from DIR/slurm/submissions.json and one squeue (and sacct) query; a machine without Slurm
/// gets the task ids with no state.
public struct SlurmStatus {
    /// One run's array task.
    public struct RunTask: Sendable, Equatable {
        public var submission: Int
        /// Slurm's name of the task: "<array job>_<index>".
        public var id: String
        public var state: SlurmQueue.TaskState?

        /// "RUNNING (13_2)", "gone (13_2)" when Slurm no longer knows the task.
        public var text: String { "\(state?.text ?? "no longer known to Slurm") (\(id))" }
    }

    public let submissions: [SlurmSubmission]
    /// By run id; runs never submitted are absent.
    public let tasks: [String: RunTask]
    let states: [String: SlurmQueue.TaskState]

    /// nil when DIR has never been submitted to Slurm.
    public init?(dir: URL) {
        let submissions = SlurmSubmission.all(in: dir)
        guard !submissions.isEmpty else { return nil }
        self.submissions = submissions
        states = SlurmQueue.states(jobs: submissions.flatMap(\.jobs))
        var tasks: [String: RunTask] = [:]
        for s in submissions { // later submissions overwrite earlier ones
            for (i, run) in s.runs.enumerated() {
                tasks[run] = RunTask(submission: s.number, id: "\(s.runsJob)_\(i)", state: SlurmQueue.task(s.runsJob, i, in: states))
            }
        }
        self.tasks = tasks
    }

    /// Counts of the states of an array's tasks, e.g. "2 COMPLETED, 1 RUNNING, 1 PENDING".
    func arraySummary(_ job: String, count: Int) -> String {
        var counts: [(String, Int)] = []
        for i in 0..<count {
            let s = SlurmQueue.task(job, i, in: states)?.state ?? "unknown"
            if let k = counts.firstIndex(where: { $0.0 == s }) { counts[k].1 += 1 } else { counts.append((s, 1)) }
        }
        return counts.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
    }

    /// One line about the latest submission's jobs.
    public var latestLine: String {
        let s = submissions.last!
        var parts: [String] = []
        if let setup = s.setupJob { parts.append("base-model job \(setup): \(arraySummary(setup, count: s.setupRuns.count))") }
        parts.append("run job \(s.runsJob): \(arraySummary(s.runsJob, count: s.runs.count))")
        parts.append("collect job \(s.collectJob): \(states[s.collectJob]?.text ?? "unknown")")
        let known = states.isEmpty ? " (squeue and sacct know none of its jobs: no Slurm here, or they ended long ago)" : ""
        return "slurm: submission \(s.number) of \(submissions.count), \(Manifest.iso(s.submittedAt))\(known): " + parts.joined(separator: "; ")
    }
}
