import Foundation

/// What Slurm says about jobs and array tasks: squeue for the jobs the controller still holds (queued,
/// running and, for MinJobAge after the end, ended ones), then sacct for older ones when the cluster
/// keeps accounting. Either may be missing or refuse (no Slurm on this machine, accounting disabled):
/// then the answer has fewer entries, never an error, so `bridge study status` works anywhere.
public enum SlurmQueue {
    /// One job or array task as Slurm reports it.
    public struct TaskState: Sendable, Equatable {
        /// PENDING, RUNNING, COMPLETED, CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, FAILED, …
        public var state: String
        /// squeue's reason (why it waits: Dependency, JobArrayTaskLimit, Resources; "None" when none).
        public var reason: String

        /// Still queued or running: a new submission of the same runs would race it.
        public var isActive: Bool { !SlurmQueue.endedStates.contains(state) }

        /// "RUNNING", "PENDING (Dependency)": the reason only while the task waits (squeue keeps the last
        /// one on ended tasks, where it no longer explains anything).
        public var text: String { state != "PENDING" || reason.isEmpty || reason == "None" ? state : "\(state) (\(reason))" }
    }

    /// The states of a job that has ended (Slurm's job state codes).
    public static let endedStates: Set<String> = [
        "COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY", "REVOKED",
    ]

    /// States by Slurm's id: "<job>" for a plain job, "<array job>_<task>" for an array task. A task that
    /// squeue lists as part of a pending range ("12_[3-7%2]") is expanded to its indices.
    public static func states(jobs: [String], environment: [String: String]? = nil) -> [String: TaskState] {
        guard !jobs.isEmpty else { return [:] }
        var out: [String: TaskState] = [:]
        let list = jobs.joined(separator: ",")
        if let sacct = ExternalCommand.run("sacct", ["-n", "-P", "-X", "-j", list, "-o", "JobID,State"], environment: environment),
           sacct.status == 0 {
            for line in sacct.output.split(separator: "\n") {
                let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard f.count >= 2 else { continue }
                // "CANCELLED by 0" -> CANCELLED
                let state = String(f[1].split(separator: " ").first ?? "")
                for id in expand(f[0]) { out[id] = TaskState(state: state, reason: "") }
            }
        }
        if let squeue = ExternalCommand.run("squeue", ["-h", "-r", "--states=all", "-j", list, "-o", "%i|%T|%r"], environment: environment),
           squeue.status == 0 {
            for line in squeue.output.split(separator: "\n") {
                let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard f.count >= 3 else { continue }
                for id in expand(f[0].trimmingCharacters(in: .whitespaces)) { out[id] = TaskState(state: f[1], reason: f[2]) }
            }
        }
        return out
    }

    /// "12_[3-5,8%2]" -> 12_3, 12_4, 12_5, 12_8; anything else -> itself.
    public static func expand(_ id: String) -> [String] {
        guard let open = id.firstIndex(of: "["), id.hasSuffix("]"), let underscore = id.firstIndex(of: "_") else { return [id] }
        let base = id[..<underscore]
        var inner = id[id.index(after: open)..<id.index(before: id.endIndex)]
        if let pct = inner.firstIndex(of: "%") { inner = inner[..<pct] }
        var out: [String] = []
        for part in inner.split(separator: ",") {
            let ends = part.split(separator: "-").compactMap { Int($0) }
            if ends.count == 2, ends[0] <= ends[1] { out += (ends[0]...ends[1]).map { "\(base)_\($0)" } }
            else if ends.count == 1 { out.append("\(base)_\(ends[0])") }
        }
        return out
    }

    /// The state of one array task, or of the whole array job when Slurm lists it only as a whole
    /// (sacct's single row of a job array that never started).
    public static func task(_ job: String, _ index: Int, in states: [String: TaskState]) -> TaskState? {
        states["\(job)_\(index)"] ?? states[job]
    }
}
