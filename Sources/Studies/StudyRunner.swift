import BridgeSupport
import Foundation

/// Executes a study's pending runs, each in its own worker process (`<executable> run --config
/// runs/<id>/run.json --out runs/<id> --worker`) with OPENBLAS_NUM_THREADS=1, at most `workers` at a time.
///
/// A worker that dies without writing result.json (crash, kill) is recorded as failed with its exit
/// status; other runs go on. Runs are started in plan order; completion order does not matter because
/// the collector reads run folders in plan order.
public struct StudyRunner {
    /// How runs are executed: worker processes of the `bridge` executable, or in this process (tests).
    public enum Mode { case processes(executable: URL), inProcess(kinds: [any RunKind]) }

    public let dir: URL
    public let mode: Mode
    public let workers: Int
    public let progress: ProgressReporter

    public init(dir: URL, mode: Mode, workers: Int, progress: ProgressReporter) {
        self.dir = dir; self.mode = mode; self.workers = max(1, workers); self.progress = progress
    }

    /// Runs `pending` (of `total` runs in the study); returns the number of failed runs among them.
    @discardableResult
    public func run(_ pending: [PlannedRun], total: Int) throws -> Int {
        progress.begin(total: total, alreadyDone: total - pending.count)
        var failed = 0
        switch mode {
        case let .inProcess(kinds):
            for run in pending {
                progress.started(run)
                let folder = StudyPlan.runDir(dir, run.runId)
                let result = try RunExecution.run(configFile: folder.appendingPathComponent(RunExecution.runFileName), outDir: folder, kinds: kinds)
                if result.status == .failed { failed += 1 }
                progress.finished(run, status: result.status.rawValue)
            }
        case let .processes(executable):
            failed = try runProcesses(pending, executable: executable)
        }
        progress.end()
        return failed
    }

    private func runProcesses(_ pending: [PlannedRun], executable: URL) throws -> Int {
        var queue = pending[...]
        var running: [(run: PlannedRun, process: Process)] = []
        var failed = 0
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        env["BRIDGE_WORKER_PARENT"] = String(getpid())
        while !queue.isEmpty || !running.isEmpty {
            while running.count < workers, let run = queue.popFirst() {
                let folder = StudyPlan.runDir(dir, run.runId)
                let logURL = folder.appendingPathComponent("worker.log")
                guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
                    throw FileProblem(path: logURL.path, errno: errno, action: "create the worker log")
                }
                let log = try FileHandle(forWritingTo: logURL)
                let p = Process()
                p.executableURL = executable
                p.arguments = ["run", "--config", folder.appendingPathComponent(RunExecution.runFileName).path, "--out", folder.path, "--worker"]
                p.environment = env
                p.standardOutput = log
                p.standardError = log
                p.standardInput = FileHandle.nullDevice
                do { try p.run() } catch {
                    throw ConfigError.invalid(source: executable.path, path: "worker", line: nil,
                                              message: "cannot start a worker process (\(error.localizedDescription))",
                                              fix: "rebuild with `swift build -c release` and run the bridge binary from .build/release")
                }
                try? log.close()
                running.append((run, p))
                progress.started(run)
            }
            usleep(20_000)
            progress.tick()
            var still: [(run: PlannedRun, process: Process)] = []
            for item in running {
                if item.process.isRunning { still.append(item); continue }
                let status = settle(item.run, process: item.process)
                if status == "failed" { failed += 1 }
                progress.finished(item.run, status: status)
            }
            running = still
        }
        return failed
    }

    /// The status a finished worker left; writes a failed result.json if the worker left none.
    private func settle(_ run: PlannedRun, process: Process) -> String {
        let rec = RunRecord.read(dir: dir, runId: run.runId)
        if rec.status != "pending" { return rec.status }
        let how = process.terminationReason == .uncaughtSignal ? "was killed by signal \(process.terminationStatus)" : "exited with status \(process.terminationStatus)"
        let result = RunResult(runId: run.runId, status: .failed,
                               error: "worker \(how) without writing result.json; see runs/\(run.runId)/worker.log", final: [:])
        let url = StudyPlan.runDir(dir, run.runId).appendingPathComponent("result.json")
        if let text = try? result.jsonText() { try? AtomicFile.write(text, to: url) }
        return "failed"
    }
}
