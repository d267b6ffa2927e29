import Foundation
import GPT
import Tasks
import TensorCore

/// Runs the benchmark suite (or any example sets) on a GPTModel: greedy KV-cache decoding in batches,
/// exact-match verification, optional pass@k sampling. Deterministic: greedy decoding draws no random
/// numbers, and each pass@k sample uses its own stream
/// `RNG(seed).derive("eval/pass_k/<set>", problem·k + j)`.
///
/// The benchmark problems are built once in `init` (they are a pure function of the config), so calling
/// `evaluate` every N training steps costs only the decoding.
public final class Evaluator {
    public let config: EvaluationConfig
    public let tokenizer: Tokenizer
    /// The benchmark sets, in suite order.
    public let sets: [(name: String, examples: [Example])]
    private let encodedPrompts: [[[Int32]]]

    /// Builds the benchmark sets; with `contextLength` (the model's), refuses any benchmark whose prompt
    /// plus worked answer does not fit (`BenchmarkSuite.checkFits`).
    public init(config: EvaluationConfig = EvaluationConfig(), contextLength: Int? = nil, tokenizer: Tokenizer = .standard) throws {
        try config.validate()
        self.config = config
        self.tokenizer = tokenizer
        sets = try BenchmarkSuite.build(config.benchmarks).map { ($0.benchmark.name, $0.examples) }
        if let contextLength {
            try BenchmarkSuite.checkFits(sets, contextLength: contextLength, source: "eval", path: "benchmarks.names")
        }
        encodedPrompts = try sets.map { s in try s.examples.map { try tokenizer.encodePrompt($0.prompt) } }
    }

    /// Scores the model on every benchmark of the config.
    public func evaluate(_ model: GPTModel) -> EvaluationReport {
        var scores: [SetScore] = []
        for (i, s) in sets.enumerated() {
            scores.append(score(model, name: s.name, examples: s.examples, prompts: encodedPrompts[i]))
        }
        return EvaluationReport(sets: scores, passK: config.passK > 1 ? config.passK : 0)
    }

    /// Scores the model on caller-given sets (e.g. the held-out SFT set), with this evaluator's settings.
    public func evaluate(_ model: GPTModel, sets named: [(name: String, examples: [Example])]) throws -> EvaluationReport {
        var scores: [SetScore] = []
        for s in named {
            let prompts = try s.examples.map { try tokenizer.encodePrompt($0.prompt, context: "\(s.name) prompt") }
            scores.append(score(model, name: s.name, examples: s.examples, prompts: prompts))
        }
        return EvaluationReport(sets: scores, passK: config.passK > 1 ? config.passK : 0)
    }

    /// Greedy pass@1, format errors, completion length and (optionally) pass@k of one set.
    func score(_ model: GPTModel, name: String, examples: [Example], prompts: [[Int32]]) -> SetScore {
        let n = examples.count
        let greedy = SamplingOptions(temperature: 0, eosToken: Tokenizer.eos)
        let completions = generate(model, prompts: prompts, options: greedy) { _, _ in RNG(seed: 0) }
        var out = SetScore.tally(name: name, examples: examples, completions: completions, tokenizer: tokenizer)
        let k = config.passK
        if k > 1, n > 0 { // otherwise pass@k stays off (-1), as tally leaves it
            let sampling = SamplingOptions(temperature: Float(config.passKTemperature), eosToken: Tokenizer.eos)
            let root = RNG(seed: UInt64(bitPattern: Int64(config.seed))).derive("eval/pass_k/\(name)")
            let repeated = prompts.flatMap { Array(repeating: $0, count: k) }
            let samples = generate(model, prompts: repeated, options: sampling) { row, _ in root.derive("sample", UInt64(row)) }
            var solved = 0
            for i in 0..<n where (0..<k).contains(where: {
                Verifier.check(completion: samples[i * k + $0], answer: examples[i].answer, tokenizer: tokenizer) == .correct
            }) { solved += 1 }
            out.passAtK = Double(solved) / Double(n)
        }
        return out
    }

    /// Completions of all prompts, `batchSize` at a time; `stream(row, prompt)` gives each row's RNG.
    func generate(_ model: GPTModel, prompts: [[Int32]], options: SamplingOptions,
                  stream: (Int, [Int32]) -> RNG) -> [[Int32]] {
        var out: [[Int32]] = []
        out.reserveCapacity(prompts.count)
        let cap = config.maxNewTokens > 0 ? config.maxNewTokens : model.config.contextLength
        var start = 0
        while start < prompts.count {
            let end = min(start + config.batchSize, prompts.count)
            let batch = Array(prompts[start..<end])
            var rngs = batch.enumerated().map { stream(start + $0.offset, $0.element) }
            out += model.sample(prompts: batch, maxNewTokens: cap, options: options, rngs: &rngs).tokens
            start = end
        }
        return out
    }
}
