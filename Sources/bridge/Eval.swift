import ArgumentParser
import BridgeSupport
import Foundation
import GPT
import Tasks
import TensorCore
import Training

/// `bridge eval`: the five-benchmark table of a checkpoint.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a checkpoint on the benchmark suite: greedy pass@1 per benchmark, mean, format errors (optional pass@k).",
        discussion: "Benchmarks: \(BenchmarkSuite.names.joined(separator: ", ")). See docs/tasks.md for what each probes."
    )

    @Option(name: .long, help: "Checkpoint file (.safetensors written by bridge init / pretrain / training).")
    var checkpoint: String

    @Option(name: .long, help: "Comma-separated benchmark names (default: all five).")
    var benchmarks: String = ""

    @Option(name: .long, help: "Also score a JSONL file of your own problems (repeatable; the set is named after the file).")
    var jsonl: [String] = []

    @Option(name: .long, help: "Write the table as CSV.")
    var out: String?

    @Option(name: .long, parsing: .unconditional, help: "Problems per benchmark.")
    var size: Int = BenchmarkConfig().size

    @Option(name: .long, help: "Seed of the benchmark sets.")
    var benchmarkSeed: Int = BenchmarkConfig().seed

    @Option(name: .long, help: "Test fraction of the content-hash split (must equal the training data's).")
    var testFraction: Double = BenchmarkConfig().testFraction

    @Option(name: .long, parsing: .unconditional, help: "k for pass@k (0 = greedy pass@1 only).")
    var passK: Int = 0

    @Option(name: .long, help: "Sampling temperature of pass@k.")
    var temperature: Double = 1

    @Option(name: .long, help: "Seed of the pass@k samples.")
    var seed: Int = 0

    @Option(name: .long, parsing: .unconditional, help: "Prompts per decoding batch.")
    var batchSize: Int = EvaluationConfig().batchSize

    @Option(name: .long, parsing: .unconditional, help: "OpenBLAS threads.")
    var threads: Int = 1

    var evaluationConfig: EvaluationConfig {
        var c = EvaluationConfig()
        c.benchmarks = BenchmarkConfig(seed: benchmarkSeed, size: size,
                                       names: benchmarks.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                                       testFraction: testFraction)
        c.passK = passK; c.passKTemperature = temperature; c.seed = seed; c.batchSize = batchSize
        return c
    }

    func validate() throws {
        guard threads > 0 else { throw ValidationError("--threads must be > 0") }
        do { try evaluationConfig.validate(source: "bridge eval") } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        BLAS.threads = threads
        let url = URL(fileURLWithPath: checkpoint)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ValidationError("checkpoint \(checkpoint) not found. Fix: check the path, or create one with `bridge pretrain --out FILE`")
        }
        let model = try Checkpoint.read(url).makeModel()
        guard model.config.vocabSize >= Tokenizer.standard.vocabSize else {
            throw ValidationError("the checkpoint's vocab_size \(model.config.vocabSize) is smaller than the tokenizer's \(Tokenizer.standard.vocabSize)")
        }
        let start = Date()
        var config = evaluationConfig
        if config.benchmarks.names.isEmpty {
            // Nothing named: score the benchmarks this checkpoint's context holds, and say which are left out.
            config.benchmarks.names = try benchmarksThatFit(config.benchmarks, contextLength: model.config.contextLength,
                                                            holder: "checkpoint's", hint: "; name them with --benchmarks to see their lengths")
        }
        let evaluator = try Evaluator(config: config, contextLength: model.config.contextLength)
        var report = evaluator.evaluate(model)
        if !jsonl.isEmpty {
            let sets = try jsonl.map { path in
                let examples = try JSONL.read(URL(fileURLWithPath: path))
                // An empty set has no accuracy: averaging a zero-problem row into the mean would be wrong.
                guard !examples.isEmpty else {
                    throw ValidationError("\(path): holds no problems. Fix: give a JSONL file with one {\"prompt\", \"answer\"} object per line")
                }
                return (name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, examples: examples)
            }
            report.sets += try evaluator.evaluate(model, sets: sets).sets
        }
        print(report.table)
        print("evaluated \(checkpoint) in \(Format.duration(Date().timeIntervalSince(start)))")
        if let out {
            try report.csv.write(to: URL(fileURLWithPath: out))
            print("wrote \(out)")
        }
    }
}

/// The benchmarks of `config` whose problems fit a context of `contextLength` tokens (what a command scores
/// when the user named none), with a note on stderr naming those left out; `hint` ends the note.
func benchmarksThatFit(_ config: BenchmarkConfig, contextLength: Int, holder: String, hint: String = "") throws -> [String] {
    let names = try BenchmarkSuite.fitting(config, contextLength: contextLength)
    let skipped = BenchmarkSuite.names.filter { !names.contains($0) }
    if !skipped.isEmpty {
        let verb = skipped.count == 1 ? "does" : "do"
        FileHandle.standardError.write(Data("note: \(skipped.joined(separator: ", ")) \(verb) not fit the \(holder) context (\(contextLength) tokens) and are not scored\(hint)\n".utf8))
    }
    return names
}
