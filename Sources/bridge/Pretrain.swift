import ArgumentParser
import BridgeSupport
import Foundation
import GPT
import Tasks
import TensorCore
import Training

/// `bridge pretrain`: the base model of a pretraining config (cached by config hash), optionally evaluated.
struct Pretrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pretrain (or fetch from the cache) the base GPT on its corpus (packed rows); optionally score it on the benchmarks.",
        discussion: """
            The base model is cached as <cache-dir>/<sha256 of the config>.safetensors; a second request is \
            instant, a corrupt entry is rebuilt. Config keys: model.*, corpus.*, seed, steps, batch_size, \
            optimizer.*, warmup_steps, min_lr_fraction, grad_clip (see docs/tasks.md).
            """
    )

    @Option(name: .long, help: "Pretraining config (YAML or JSON); defaults for missing keys.")
    var config: String?

    @Option(name: .long, help: "GPT preset for model.* (tiny, small, medium); applied before --config and overrides.")
    var preset: String = "small"

    @Argument(help: "Overrides key.path=value, e.g. steps=500 optimizer.lr=3e-4 corpus.seed=2.")
    var overrides: [String] = []

    @Option(name: .long, help: "Cache folder of base models.")
    var cacheDir: String = BaseModel.defaultCacheDirectory

    @Option(name: .long, help: "Also copy the base checkpoint to this file.")
    var out: String?

    @Flag(name: .long, help: "Replace the --out and --eval-csv files if they exist.")
    var force = false

    @Flag(name: .long, help: "Score the base model on the benchmark suite (greedy pass@1) and print the table.")
    var eval = false

    @Option(name: .long, help: "Write the evaluation table as CSV (implies --eval).")
    var evalCsv: String?

    @Option(name: .long, help: "Write the L2 norm of every position-embedding row (wpe), initial and trained, as CSV (position, initial_norm, trained_norm).")
    var positionNorms: String?

    @Option(name: .long, parsing: .unconditional, help: "Problems per benchmark for --eval.")
    var benchmarkSize: Int = 200

    @Option(name: .long, parsing: .unconditional, help: "OpenBLAS threads (1 = the reproducible setting runs use).")
    var threads: Int = 1

    func validate() throws {
        guard GPTConfig.presetNames.contains(preset) else {
            throw ValidationError("unknown preset '\(preset)'. Fix: use one of \(GPTConfig.presetNames.joined(separator: ", "))")
        }
        guard benchmarkSize > 0 else { throw ValidationError("--benchmark-size must be > 0") }
        guard threads > 0 else { throw ValidationError("--threads must be > 0") }
    }

    func loadConfig() throws -> PretrainConfig {
        var defaults = PretrainConfig()
        defaults.model = try GPTConfig.preset(preset)
        var text: String?
        var source = "pretrain config"
        if let config {
            text = try AtomicFile.readText(URL(fileURLWithPath: config), what: "pretrain config")
            source = config
        }
        let c = try StrictConfig.load(PretrainConfig.self, defaults: defaults, yamlText: text, source: source, overrides: overrides)
        try c.validate(source: source)
        return c
    }

    func run() throws {
        BLAS.threads = threads
        let config = try loadConfig()
        // --out may replace the base model of this same config (same bytes); anything else needs --force.
        let key = try config.cacheKey()
        let ownOut = out.map { path in (try? Checkpoint.read(URL(fileURLWithPath: path)))?.metadata["pretrain_key"] == key } ?? false
        try OutputFolder.refuseReplacing(((ownOut ? [] : [out]) + [evalCsv, positionNorms]).compactMap { $0 }.map { URL(fileURLWithPath: $0) },
                                         force: force, what: "pretrain")
        // The evaluator is built before pretraining, so that a problem with it is reported before minutes of
        // work; it scores the benchmarks the model's context holds (the tiny preset's 64 tokens hold three).
        var evaluator: Evaluator?
        if eval || evalCsv != nil {
            var ec = EvaluationConfig()
            ec.benchmarks.size = benchmarkSize
            ec.benchmarks.testFraction = config.corpus.testFraction
            ec.benchmarks.names = try benchmarksThatFit(ec.benchmarks, contextLength: config.model.contextLength, holder: "model's")
            evaluator = try Evaluator(config: ec, contextLength: config.model.contextLength)
        }
        let start = Date()
        var last = Date()
        let (ckpt, source, url) = try BaseModel.checkpoint(config: config, cacheDirectory: cacheDir) { step, total, loss in
            if step == total || Date().timeIntervalSince(last) > 5 {
                last = Date()
                // Progress goes to stderr, unbuffered, so that a redirected run shows it live.
                let line = "step \(step)/\(total)  loss \(String(format: "%.4f", loss))  \(Format.duration(Date().timeIntervalSince(start)))\n"
                FileHandle.standardError.write(Data(line.utf8))
            }
        }
        let seconds = Date().timeIntervalSince(start)
        print("base model \(source.rawValue == "cache" ? "from cache" : source.rawValue) in \(Format.duration(seconds)): \(url.path)")
        print("key \(try config.cacheKey()), final loss \(ckpt.metadata["final_loss"] ?? "?")")
        if let out {
            try ckpt.write(to: URL(fileURLWithPath: out))
            print("wrote \(out)")
        }
        if let positionNorms {
            // The initial θ is the pretraining init (same stream as Pretrainer.train), so a row whose norm is
            // unchanged was never reached by a gradient.
            let initial = GPTModel(config: config.model, lora: .none,
                                   rng: RNG(seed: UInt64(bitPattern: Int64(config.seed))).derive("pretrain/init"))
            let rows = PositionNorms(initial: initial.theta.values("wpe")!, trained: ckpt.theta.values("wpe")!, channels: config.model.channels)
            try rows.csv.write(to: URL(fileURLWithPath: positionNorms))
            print(rows.summary)
            print("wrote \(positionNorms)")
        }
        if let evaluator {
            let t0 = Date()
            let report = evaluator.evaluate(ckpt.makeModel())
            print(report.table)
            print("evaluated in \(Format.duration(Date().timeIntervalSince(t0)))")
            if let evalCsv {
                try report.csv.write(to: URL(fileURLWithPath: evalCsv))
                print("wrote \(evalCsv)")
            }
        }
    }
}

/// Per-row L2 norms of the position embeddings before and after pretraining.
struct PositionNorms {
    let initial: [Double], trained: [Double]

    init(initial: [Float], trained: [Float], channels: Int) {
        func norms(_ v: [Float]) -> [Double] {
            stride(from: 0, to: v.count, by: channels).map { s in (s..<(s + channels)).reduce(0.0) { $0 + Double(v[$1]) * Double(v[$1]) }.squareRoot() }
        }
        self.initial = norms(initial); self.trained = norms(trained)
    }

    var csv: CSVTable {
        var t = CSVTable(columns: ["position", "initial_norm", "trained_norm"])
        for i in initial.indices { t.append([.integer(i), .number(initial[i]), .number(trained[i])]) }
        return t
    }

    /// Mean norms over bands of 16 positions, and the rows that never moved.
    var summary: String {
        var lines = ["position embeddings (L2 norm per row, mean over each band):", "positions   initial  trained"]
        for start in stride(from: 0, to: initial.count, by: 16) {
            let r = start..<min(start + 16, initial.count)
            let a = r.map { initial[$0] }.reduce(0, +) / Double(r.count), b = r.map { trained[$0] }.reduce(0, +) / Double(r.count)
            lines.append(String(format: "%3d-%-3d    %7.4f  %7.4f", r.lowerBound, r.upperBound - 1, a, b))
        }
        let untouched = initial.indices.filter { initial[$0] == trained[$0] }
        lines.append("rows never updated: \(untouched.count)" + (untouched.isEmpty ? "" : " (from position \(untouched.first!))"))
        return lines.joined(separator: "\n")
    }
}
