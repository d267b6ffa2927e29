import ArgumentParser
import Foundation

/// `bridge study ...`: declarative ablation studies over seeds (see docs/studies.md).
struct Study: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run, inspect, collect and export studies (grids of runs over seeds, summarised with confidence intervals).",
        subcommands: [StudyRun.self, StudySubmit.self, StudyStatus.self, StudyTask.self, StudyCollect.self, StudyTable.self, StudyList.self, StudyExport.self, StudyVerify.self]
    )
}

/// A study-level failure after the work is done (e.g. some runs failed): printed as "Error: ..." with exit code 1.
struct StudyFailure: Error, CustomStringConvertible {
    let description: String
}

/// `--reuse`, shared by `study run` and `study submit`: folders whose finished runs are copied (`RunReuse`).
struct StudyReuseOptions: ParsableArguments {
    @Option(name: .long, help: "A study folder with run folders (e.g. results/cost-paper) whose finished runs with the same run id (the hash of the resolved config) are copied instead of computed again (repeatable; the manifest lists them). Their timings come from that study: do not reuse into a study that measures wall time.")
    var reuse: [String] = []

    var folders: [URL] { reuse.map { URL(fileURLWithPath: $0) } }
}

/// Refuses a trailing argument of `study run` / `study submit` that is not a key.path=value override.
func checkStudyOverrides(_ overrides: [String]) throws {
    for o in overrides where !o.contains("=") {
        throw ValidationError("'\(o)' is not an override: write key.path=value (e.g. run.steps=100)")
    }
}

/// The path of the running `bridge` executable (workers are this same binary).
func currentExecutable() -> URL {
    #if os(Linux)
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        return URL(fileURLWithPath: path)
    }
    #endif
    let arg0 = CommandLine.arguments[0]
    if arg0.contains("/") { return URL(fileURLWithPath: arg0).standardizedFileURL }
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent(arg0)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return URL(fileURLWithPath: arg0)
}
