import ArgumentParser
import BridgeSupport
import Foundation
import Tasks

/// `bridge data`: generate, inspect and export the task datasets and benchmarks.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Generate, show and export task datasets (SFT, RL, held-out, pretraining) and the five benchmarks.",
        subcommands: [DataGenerate.self, DataShow.self, DataExport.self]
    )
}

/// Options shared by the data subcommands: a data config file and key=value overrides.
struct DataConfigOptions: ParsableArguments {
    @Option(name: .long, help: "Data config (YAML or JSON); defaults are used for missing keys.")
    var config: String?

    @Argument(help: "Overrides key.path=value, e.g. seed=3 tasks.addition.max_digits=4 trace_noise=0.1.")
    var overrides: [String] = []

    func load() throws -> DataConfig {
        var text: String?
        var source = "data config"
        if let config {
            let url = URL(fileURLWithPath: config)
            text = try AtomicFile.readText(url, what: "data config")
            source = config
        }
        let c = try StrictConfig.load(DataConfig.self, defaults: DataConfig(), yamlText: text, source: source, overrides: overrides)
        try c.validate(source: source)
        return c
    }
}

/// The examples of a set or benchmark by name.
func dataSet(named name: String, config: DataConfig) throws -> [Example] {
    if BenchmarkSuite.names.contains(name) {
        var b = config.benchmarks
        b.names = [name]
        return try BenchmarkSuite.build(b)[0].examples
    }
    guard TaskDatasets.setNames.contains(name) else {
        let valid = TaskDatasets.setNames + BenchmarkSuite.names
        let hint = NearestKey.find(name, in: valid).map { " (did you mean '\($0)'?)" } ?? ""
        throw ValidationError("unknown set '\(name)'\(hint). Fix: use one of \(valid.joined(separator: ", "))")
    }
    return try TaskDatasets.build(config).set(named: name)!
}

struct DataGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write every set and benchmark as JSONL, plus the resolved config and a summary CSV, to a folder."
    )
    @OptionGroup var options: DataConfigOptions
    @Option(name: .long, help: "Output folder.")
    var out: String = "results/data"

    @Flag(name: .long, help: "Write into a folder that holds other files or another data config's sets.")
    var force = false

    func run() throws {
        let config = try options.load()
        let dir = URL(fileURLWithPath: out)
        let lock = try FolderLock(dir: dir, holderCommand: "`bridge data generate`")
        defer { withExtendedLifetime(lock) {} }
        if !force, let items = try OutputFolder.entries(dir), !items.isEmpty {
            // Regenerating the same config writes the same bytes: only that is allowed without --force.
            let old = try? AtomicFile.readText(dir.appendingPathComponent("config.json"), what: "config.json")
            let same = try old.map { try ConfigValue.parseYAML($0, source: "config.json").value.canonicalJSON == ConfigValue.encode(config).canonicalJSON } ?? false
            if !same {
                throw FileProblem(path: dir.path, what: old == nil ? "the folder holds files that are not a data folder's (\(OutputFolder.list(items)))"
                                                                   : "the folder holds data sets of a different data config",
                                  fix: "choose a new or empty --out folder, or pass --force to overwrite the sets in it")
            }
        }
        let sets = try TaskDatasets.build(config)
        var summary = CSVTable(columns: ["set", "split", "examples", "max_tokens", "mean_tokens", "file"])
        func emit(_ name: String, _ split: String, _ examples: [Example], file: String) throws {
            try JSONL.write(examples, to: dir.appendingPathComponent(file))
            let lengths = try examples.map { try Tokenizer.standard.encode($0).tokens.count }
            let mean = lengths.isEmpty ? 0 : Double(lengths.reduce(0, +)) / Double(lengths.count)
            summary.append([.text(name), .text(split), .integer(examples.count), .integer(lengths.max() ?? 0), .number(mean), .text(file)])
        }
        for name in TaskDatasets.setNames {
            try emit(name, TaskDatasets.split(ofSet: name)!.rawValue, sets.set(named: name)!, file: name + ".jsonl")
        }
        for (b, examples) in try BenchmarkSuite.build(config.benchmarks) {
            try emit(b.name, "test", examples, file: "benchmarks/\(b.name).jsonl")
        }
        try AtomicFile.write(try ConfigValue.encode(config).prettyJSON, to: dir.appendingPathComponent("config.json"))
        try summary.write(to: dir.appendingPathComponent("summary.csv"))
        print(summary.text, terminator: "")
        print("wrote \(dir.path)/ (config.json, summary.csv, \(TaskDatasets.setNames.count) sets, benchmarks/)")
    }
}

struct DataShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print examples of a set (sft, rl, heldout, pretrain) or benchmark, with token counts."
    )
    @OptionGroup var options: DataConfigOptions
    @Option(name: .long, help: "Set or benchmark name.")
    var set: String = "sft"
    @Option(name: .long, parsing: .unconditional, help: "Number of examples to print.")
    var count: Int = 5

    @Option(name: .long, help: "Show (and check) a JSONL file of your own instead of a generated set.")
    var from: String?

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must be >= 0 (got \(count))") }
    }

    func run() throws {
        let config = try options.load()
        if set == "benchmarks" {
            for b in BenchmarkSuite.all { print("\(b.name): \(b.probes)") }
            return
        }
        let examples = try from.map { try JSONL.read(URL(fileURLWithPath: $0)) } ?? dataSet(named: set, config: config)
        for (i, e) in examples.prefix(count).enumerated() {
            let n = try Tokenizer.standard.encode(e).tokens.count
            print("[\(i)] \(n) tokens")
            print(e.prompt)
            print(e.completionText)
            print("")
        }
        print("\(from ?? set): \(examples.count) examples")
    }
}

struct DataExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one set or benchmark as JSONL {\"prompt\", \"trace\", \"answer\"}."
    )
    @OptionGroup var options: DataConfigOptions
    @Option(name: .long, help: "Set or benchmark name (sft, rl, heldout, pretrain, b1_indist, ...).")
    var set: String = "sft"
    @Option(name: .long, help: "Output JSONL file.")
    var out: String

    @Flag(name: .long, help: "Replace the file if it exists.")
    var force = false

    func run() throws {
        let config = try options.load()
        try OutputFolder.refuseReplacing([URL(fileURLWithPath: out)], force: force, what: "the export")
        let examples = try dataSet(named: set, config: config)
        try JSONL.write(examples, to: URL(fileURLWithPath: out))
        print("wrote \(examples.count) examples of \(set) to \(out)")
    }
}
