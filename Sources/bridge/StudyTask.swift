import ArgumentParser
import Foundation
import Studies

/// `bridge study task DIR RUN_ID`: what one Slurm array task of `bridge study submit` executes.
struct StudyTask: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Execute one run of a prepared study folder, as a Slurm array task does; a run that is already complete is left alone.",
        discussion: "With --shared, build what the run shares with other runs (its pretrained base model) instead: the base-model job array of a submission runs this."
    )

    @Argument(help: "Study folder (written by `bridge study submit` or `bridge study run --prepare-only`).")
    var dir: String

    @Argument(help: "Run id: a folder name under DIR/runs/.")
    var runId: String

    @Flag(name: .long, help: "Build the run's shared artifacts (its base model) instead of executing it.")
    var shared = false

    func run() throws {
        switch try StudyPipeline.task(dir: URL(fileURLWithPath: dir), runId: runId, shared: shared, kinds: RunKinds.all) {
        case let .alreadyComplete(status):
            print("run \(runId) is already complete (\(status)): nothing to do")
        case let .builtShared(lines):
            if lines.isEmpty { print("run \(runId) shares nothing with other runs: nothing to build") }
            for line in lines { print(line) }
        case let .executed(result):
            print("run \(result.runId): \(result.status.rawValue)\(result.error.map { ": \($0)" } ?? "")")
            if result.status == .failed { throw ExitCode(1) }
        }
    }
}
