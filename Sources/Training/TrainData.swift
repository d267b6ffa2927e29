import BridgeSupport
import Foundation
import Tasks
import TensorCore

/// The tokenized datasets of a run and the per-step batch draws (pure functions of (seed, step)).
public struct TrainData: Sendable {
    public let sets: TaskDatasets
    /// SFT examples: prompt («BOS» prompt "\n") and completion (trace "#" answer «EOS»).
    public let sft: [TokenizedExample]
    /// RL prompts (tokens) with their reference answers.
    public let rlPrompts: [[Int32]]
    public let rlAnswers: [String]
    /// Held-out SFT examples (clean traces, test split).
    public let heldout: [TokenizedExample]
    public let tokenizer = Tokenizer.standard

    public init(_ config: DataConfig, source: String = "data") throws {
        sets = try TaskDatasets.build(config, source: source)
        let tok = Tokenizer.standard
        sft = try sets.sft.enumerated().map { try tok.encode($0.element, context: "sft[\($0.offset)]") }
        rlPrompts = try sets.rl.enumerated().map { try tok.encodePrompt($0.element.prompt, context: "rl[\($0.offset)]") }
        rlAnswers = sets.rl.map(\.answer)
        heldout = try sets.heldout.enumerated().map { try tok.encode($0.element, context: "heldout[\($0.offset)]") }
        guard !sft.isEmpty, !rlPrompts.isEmpty else {
            throw TrainError.data("the SFT and RL sets must not be empty (data.dataset.sft_size, rl_size)")
        }
    }

    /// Indices of the SFT batch of update k: `count` draws without replacement within the batch,
    /// from stream derive("sft_batch", k).
    public func sftIndices(step k: Int, count: Int, root: RNG) -> [Int] {
        var rng = root.derive("sft_batch", UInt64(k))
        return Self.draw(count, from: sft.count, rng: &rng)
    }

    /// Indices of the RL prompts of update k, from stream derive("rl_prompts", k).
    public func rlIndices(step k: Int, count: Int, root: RNG) -> [Int] {
        var rng = root.derive("rl_prompts", UInt64(k))
        return Self.draw(count, from: rlPrompts.count, rng: &rng)
    }

    /// `count` distinct indices in 0..<n (with repetition only when count > n), partial Fisher-Yates.
    static func draw(_ count: Int, from n: Int, rng: inout RNG) -> [Int] {
        var out: [Int] = []
        var pool = Array(0..<n)
        var left = 0
        for _ in 0..<count {
            if left == 0 { pool = Array(0..<n); left = n }
            let j = rng.int(below: left)
            out.append(pool[j])
            pool.swapAt(j, left - 1)
            left -= 1
        }
        return out
    }

    /// The SFT batch of given examples as a token batch.
    public static func batch(_ examples: [TokenizedExample], contextLength: Int) -> TokenBatch {
        TokenBatch(prompts: examples.map(\.prompt), completions: examples.map(\.completion), contextLength: contextLength)
    }
}

/// Errors of a training run that are not config errors.
public enum TrainError: Error, CustomStringConvertible {
    case data(String)
    case checkpoint(String)
    case diverged(step: Int, quantity: String)
    /// A loss beyond `TrainRunner.explosionFactor` × max(1, |its first logged value|): marked diverged like NaN.
    case exploded(step: Int, quantity: String, value: Double, start: Double)
    /// The run folder's files disagree (metrics.csv cut or edited after the checkpoint was written).
    case inconsistent(String)

    public var description: String {
        switch self {
        case let .data(m): return "training data: \(m)"
        case let .checkpoint(m): return "checkpoint: \(m)"
        case let .diverged(step, q): return "diverged at step \(step): \(q) is not finite"
        case let .exploded(step, q, v, s):
            return "diverged at step \(step): \(q) = \(Format.number(v)) exploded (beyond \(Format.number(TrainRunner.explosionFactor)) × max(1, |\(Format.number(s))|), its first logged value)"
        case let .inconsistent(m): return "run files disagree: \(m)"
        }
    }
}
