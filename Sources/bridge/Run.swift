import ArgumentParser
import BridgeSupport
import Foundation
import Studies
import TensorCore

/// `bridge run --config FILE --out DIR`: executes one run in this process (what every study worker does).
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Execute one run, writing DIR/{run.json, config.json, metrics.csv, result.json}.",
        discussion: "FILE is a run file {kind: <kind>, config: {...}} (JSON or YAML), or a bare config of the kind given by --kind."
    )

    @Option(name: .long, help: "Run file {kind: ..., config: {...}}, or a bare config with --kind.")
    var config: String

    @Option(name: .long, help: "Run kind of a bare config file (e.g. train, theory, toy_quadratic).")
    var kind: String?

    @Option(name: .long, help: "Output folder of the run.")
    var out: String

    @Flag(name: .long, help: "Started by `bridge study run`: exit when the study runner dies.")
    var worker = false

    func run() throws {
        if worker { Run.watchParent() }
        BLAS.threads = 1
        // One process per run folder. A worker waits briefly: the orphan of a killed study exits within 0.2 s.
        let lock = try FolderLock(dir: URL(fileURLWithPath: out), holderCommand: "`bridge run`", wait: worker ? 10 : 0)
        defer { withExtendedLifetime(lock) {} }
        // On a terminal (not as a worker) show the kind's step progress on one updating line.
        var progress: RunProgress? = nil
        if !worker && isatty(STDERR_FILENO) != 0 {
            progress = { (step: Int, total: Int, text: String) in
                let end = step == total ? "\n" : ""
                FileHandle.standardError.write(Data("\r\u{1B}[2Kstep \(step)/\(total) \(text)\(end)".utf8))
            }
        }
        let result = try RunExecution.run(configFile: URL(fileURLWithPath: config), kind: kind, outDir: URL(fileURLWithPath: out),
                                          kinds: RunKinds.all, progress: progress)
        print("run \(result.runId): \(result.status.rawValue)\(result.error.map { ": \($0)" } ?? "")")
        if result.status == .failed { throw ExitCode(1) }
    }

    /// A worker whose study runner was killed (SIGKILL leaves children running) exits within 0.2 s, so that
    /// a resumed study never races an orphan writing the same run folder.
    static func watchParent() {
        guard let text = ProcessInfo.processInfo.environment["BRIDGE_WORKER_PARENT"], let parent = Int32(text) else { return }
        let thread = Thread {
            while true {
                if getppid() != parent { _exit(137) }
                usleep(200_000)
            }
        }
        thread.start()
    }
}
