import ArgumentParser
import BridgeSupport
import Foundation
import TensorCore
import Training

/// `bridge train`: one training run of one method, writing config.json, metrics.csv, result.json and
/// checkpoints into --out.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train with one method (base, sft, rl_zero, cold_start, alternating, mix, bridge, chord, luffy).",
        discussion: """
            Config: defaults, then --config FILE.yaml, then key.path=value overrides (e.g. rl.group_size=4 \
            bridge.lambda.schedule=linear). Writes DIR/config.json, DIR/metrics.csv, DIR/result.json and \
            DIR/checkpoint.safetensors. See docs/training.md and docs/metrics.md.
            """
    )

    @Option(name: .long, help: "Training method: \(TrainConfig.methods.joined(separator: ", ")) (sets run.method).")
    var method: String?

    @Option(name: .long, help: "YAML config file (keys as in docs/training.md).")
    var config: String?

    @Option(name: .long, help: "Output directory.")
    var out: String

    @Flag(name: .long, help: "Continue from DIR/checkpoint.safetensors (same config required).")
    var resume = false

    @Flag(name: .long, help: "Write into a folder holding another run (its run files are replaced) or other files (kept).")
    var force = false

    @Option(name: .long, parsing: .unconditional, help: "BLAS threads (results are bitwise reproducible at a fixed count).")
    var threads = 1

    @Flag(name: .long, help: "No progress lines.")
    var quiet = false

    @Argument(help: "Overrides key.path=value.")
    var overrides: [String] = []

    func validate() throws {
        if let method, TrainMethod(rawValue: method) == nil {
            throw ValidationError("--method \(TrainMethod.unknownMessage(method))")
        }
        if threads < 1 { throw ValidationError("--threads must be ≥ 1 (got \(threads))") }
        if resume && force { throw ValidationError("--resume continues the run in --out and --force replaces it: choose one") }
    }

    func run() throws {
        BLAS.threads = threads
        let cfg = try Train.loadConfig(file: config, method: method, overrides: overrides)
        let outURL = URL(fileURLWithPath: out)
        let runId = outURL.lastPathComponent
        let quiet = self.quiet
        // One process per run folder; then the folder must be new, or this run's own (with --resume).
        let lock = try FolderLock(dir: outURL, holderCommand: "`bridge train`")
        defer { withExtendedLifetime(lock) {} }
        try OutputFolder.checkRunFolder(outURL, config: try cfg.resolvedTree(), resume: resume, force: force, command: "train")
        if resume, !FileManager.default.fileExists(atPath: outURL.appendingPathComponent(TrainCheckpoint.fileName).path) {
            // Without a checkpoint only a run that recorded nothing may start over under --resume.
            let recorded = ["metrics.csv", "result.json"].filter { FileManager.default.fileExists(atPath: outURL.appendingPathComponent($0).path) }
            if !recorded.isEmpty {
                throw FileProblem(path: outURL.appendingPathComponent(TrainCheckpoint.fileName).path,
                                  what: "--resume needs the run's checkpoint, which is missing (the folder holds \(recorded.joined(separator: " and ")))",
                                  fix: "restore the checkpoint, or pass --force instead of --resume to start the run over")
            }
        }
        let result: RunResult
        do {
            result = try TrainRunner.execute(config: cfg, runId: runId, outDir: outURL, resume: resume, progress: { step, total, text in
                if !quiet { FileHandle.standardError.write(Data("step \(step)/\(total) \(text)\n".utf8)) }
            })
        } catch let e as TrainError {
            if case .inconsistent = e { throw ValidationError("\(e). Fix: pass --force instead of --resume to start the run over") }
            throw ValidationError("\(e)")
        }
        print("\(result.status.rawValue): \(out)/result.json" + (result.error.map { " (\($0))" } ?? ""))
        if let acc = result.final["eval/mean_accuracy"] { print("eval/mean_accuracy \(Format.number(acc))") }
        if result.status != .finished { throw ExitCode(2) }
    }

    /// Defaults, then the YAML file, then `--method`, then overrides (strict; errors name the key).
    static func loadConfig(file: String?, method: String?, overrides: [String]) throws -> TrainConfig {
        var yaml: String?
        if let file {
            yaml = try AtomicFile.readText(URL(fileURLWithPath: file), what: "config file")
        }
        let all = (method.map { ["run.method=\($0)"] } ?? []) + overrides
        do {
            return try TrainConfig.load(yamlText: yaml, source: file ?? "defaults", overrides: all)
        } catch let e as ConfigError {
            throw ValidationError(e.description)
        }
    }
}
