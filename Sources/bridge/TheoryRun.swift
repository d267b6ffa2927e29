import ArgumentParser
import BridgeSupport
import Foundation
import TensorCore
import Theory

/// `bridge theory run`: one theory run (config.json, metrics.csv, result.json, slopes.csv in --out).
struct TheoryRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one theory experiment and print its fitted slopes next to the theory.",
        discussion: "Experiments: \(TheoryConfig.experiments.joined(separator: ", ")). Overrides as key.path=value, e.g. quadratic.mu=0.01 'sweep.gamma=[10,100,1000]'."
    )

    @Option(name: .long, help: "Experiment (overrides the config file's `experiment`).")
    var experiment: String = ""

    @Option(name: .long, help: "YAML/JSON config file (keys of TheoryConfig; see docs/theory.md).")
    var config: String = ""

    @Option(name: .long, help: "Output folder for config.json, metrics.csv, result.json and slopes.csv.")
    var out: String

    @Option(name: .long, help: "Run id written into metrics.csv.")
    var runId: String = "theory"

    @Flag(name: .long, help: "Write into a folder holding another run (its run files are replaced) or other files (kept).")
    var force = false

    @Argument(help: "Overrides key.path=value.")
    var overrides: [String] = []

    func validate() throws {
        if !experiment.isEmpty && TheoryExperiment(rawValue: experiment) == nil {
            throw ValidationError("--experiment \(TheoryExperiment.unknownMessage(experiment))")
        }
    }

    func run() throws {
        var text: String? = nil
        if !config.isEmpty {
            text = try AtomicFile.readText(URL(fileURLWithPath: config), what: "config file")
        }
        var all = overrides
        if !experiment.isEmpty { all.append("experiment=\(experiment)") }
        let cfg: TheoryConfig
        do {
            cfg = try StrictConfig.load(TheoryConfig.self, defaults: TheoryConfig(), yamlText: text, source: config.isEmpty ? "defaults" : config, overrides: all)
            try cfg.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        BLAS.threads = 1 // as `bridge run` does: bytes must not depend on the thread count
        let kind = TheoryRunKind()
        let resolved = try ConfigValue.encode(cfg)
        let dir = URL(fileURLWithPath: out)
        let lock = try FolderLock(dir: dir, holderCommand: "`bridge theory run`")
        defer { withExtendedLifetime(lock) {} }
        // The same config recomputes the same bytes, so rerunning it in place is allowed.
        try OutputFolder.checkRunFolder(dir, config: resolved, resume: true, force: force, command: "theory run")
        let result = try kind.execute(resolved: resolved, runId: runId, outDir: dir, progress: nil)
        let table = SlopeSummary.table(experiment: cfg.experiment.rawValue, final: result.final)
        try table.write(to: dir.appendingPathComponent("slopes.csv"))
        if !table.rows.isEmpty { print(SlopeSummary.render(table)) }
        print("status: \(result.status.rawValue)\(result.error.map { " (\($0))" } ?? "") -> \(dir.path)")
        if result.status != .finished { throw ExitCode(1) }
    }
}

/// `bridge theory slopes`: the slope table of finished runs (folders with result.json and config.json).
struct TheorySlopesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slopes",
        abstract: "Print fitted slopes beside their theoretical values for theory run folders (or run the default claims first)."
    )

    @Argument(help: "Run folders (each with config.json and result.json); searched recursively.")
    var dirs: [String] = []

    @Option(name: .long, help: "Run the default claim experiments (quadratic_bias, vpbgd_toy, hyper_cleaning, one_step_proxy) into this folder first.")
    var runDefaults: String = ""

    @Option(name: .long, help: "Also write the table as CSV to this file.")
    var csv: String = ""

    func validate() throws {
        if dirs.isEmpty && runDefaults.isEmpty { throw ValidationError("give run folders, or --run-defaults DIR to compute the default claims") }
    }

    func run() throws {
        var folders = dirs.map { URL(fileURLWithPath: $0) }
        if !runDefaults.isEmpty {
            BLAS.threads = 1
            let root = URL(fileURLWithPath: runDefaults)
            for e in [TheoryExperiment.quadraticBias, .vpbgdToy, .hyperCleaning, .oneStepProxy] {
                var cfg = TheoryConfig()
                cfg.experiment = e
                let dir = root.appendingPathComponent(e.rawValue)
                let r = try TheoryRunKind().execute(resolved: try ConfigValue.encode(cfg), runId: e.rawValue, outDir: dir, progress: nil)
                if r.status != .finished { print("warning: \(e.rawValue) \(r.status.rawValue): \(r.error ?? "")") }
                folders.append(dir)
            }
        }
        var all = CSVTable(columns: SlopeSummary.columns)
        let fm = FileManager.default
        var results: [URL] = []
        for f in folders {
            if fm.fileExists(atPath: f.appendingPathComponent("result.json").path) { results.append(f); continue }
            guard let e = fm.enumerator(at: f, includingPropertiesForKeys: nil) else {
                throw ValidationError("'\(f.path)' is not a folder: give theory run folders")
            }
            var found: [URL] = []
            for case let u as URL in e where u.lastPathComponent == "result.json" { found.append(u.deletingLastPathComponent()) }
            results += found.sorted { $0.path < $1.path }
        }
        guard !results.isEmpty else { throw ValidationError("no result.json under \(folders.map(\.path)): run `bridge theory run` first") }
        for dir in results {
            let result = try RunResult.read(dir.appendingPathComponent("result.json"))
            var experiment = dir.lastPathComponent
            if let text = try? AtomicFile.readText(dir.appendingPathComponent("config.json"), what: "config.json"),
               case let .string(e)? = try? ConfigValue.parseYAML(text, source: "config.json").value["experiment"] { experiment = e }
            for r in SlopeSummary.table(experiment: experiment, final: result.final).rows {
                all.append(r.map { CSVTable.Cell.text($0) })
            }
        }
        print(SlopeSummary.render(all))
        if !csv.isEmpty { try all.write(to: URL(fileURLWithPath: csv)) }
    }
}
