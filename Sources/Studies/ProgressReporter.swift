import BridgeSupport
import Foundation

/// Study progress on stderr: one updating line on a terminal, plain log lines otherwise
/// (done/total, running, failed, ETA from this session's completion rate).
public final class ProgressReporter: @unchecked Sendable {
    public let study: String
    public let isTerminal: Bool
    public let quiet: Bool
    private var total = 0, done = 0, doneThisSession = 0, failed = 0, running = 0
    private var start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0

    public init(study: String, isTerminal: Bool = isatty(STDERR_FILENO) != 0, quiet: Bool = false) {
        self.study = study; self.isTerminal = isTerminal; self.quiet = quiet
    }

    func emit(_ s: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data(s.utf8))
    }

    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    var eta: String {
        guard doneThisSession > 0 else { return "?" }
        return Format.duration(elapsed / Double(doneThisSession) * Double(total - done))
    }

    var line: String { "[\(study)] \(done)/\(total) done, \(running) running, \(failed) failed, elapsed \(Format.duration(elapsed)), ETA \(eta)" }

    public func begin(total: Int, alreadyDone: Int) {
        self.total = total; done = alreadyDone; start = DispatchTime.now().uptimeNanoseconds
        emit("[\(study)] \(total) runs, \(alreadyDone) already complete, \(total - alreadyDone) to run\n")
    }

    public func started(_ run: PlannedRun) {
        running += 1
        if isTerminal { draw() } else { emit("[\(study)] start \(run.runId) (\(StudyExpansion.describe(run.point, seed: run.seed)))\n") }
    }

    public func finished(_ run: PlannedRun, status: String) {
        running -= 1; done += 1; doneThisSession += 1
        if status == "failed" { failed += 1 }
        if isTerminal {
            if status != "finished" { emit("\r\u{1B}[2K[\(study)] run \(run.runId) \(status) (\(StudyExpansion.describe(run.point, seed: run.seed)))\n") }
            draw()
        } else {
            emit("[\(study)] \(status) \(run.runId): \(done)/\(total) done, \(running) running, \(failed) failed, ETA \(eta)\n")
        }
    }

    /// Redraws the terminal line at most twice a second (ETA and elapsed move between events).
    public func tick() {
        guard isTerminal, DispatchTime.now().uptimeNanoseconds - lastDraw > 500_000_000 else { return }
        draw()
    }

    private func draw() {
        lastDraw = DispatchTime.now().uptimeNanoseconds
        emit("\r\u{1B}[2K" + line)
    }

    public func end() {
        if isTerminal { emit("\r\u{1B}[2K" + line + "\n") } else { emit(line + "\n") }
    }
}
