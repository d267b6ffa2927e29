import Foundation
import GPT
import Tasks
import TensorCore

/// Next-token pretraining of θ on the corpus (all tokens of each document are targets).
public enum Pretrainer {
    /// Progress callback: (step done, total steps, mean loss of that step).
    public typealias Progress = (Int, Int, Float) -> Void

    /// What a pretraining run produced besides the weights.
    public struct Summary: Sendable, Equatable {
        /// Mean next-token loss over the last min(100, steps) steps (nats per token).
        public var finalLoss: Double
        /// Loss of every step, in order.
        public var losses: [Float]
    }

    /// Trains a fresh model (LoRA off) from `config`; deterministic in the config.
    public static func train(_ config: PretrainConfig, progress: Progress? = nil) throws -> (model: GPTModel, summary: Summary) {
        try config.validate()
        let tok = Tokenizer.standard
        let docs = try config.corpus.documents().map { [Tokenizer.bos] + (try tok.encode($0, context: "pretraining document")) + [Tokenizer.eos] }
        let root = RNG(seed: UInt64(bitPattern: Int64(config.seed)))
        let model = GPTModel(config: config.model, lora: .none, rng: root.derive("pretrain/init"))
        let n = model.theta.count
        var m = [Float](repeating: 0, count: n), v = [Float](repeating: 0, count: n)
        var losses: [Float] = []
        losses.reserveCapacity(config.steps)
        let maxLen = config.model.contextLength + 1
        for step in 0..<config.steps {
            var pick = root.derive("pretrain/batch", UInt64(step))
            let rows = (0..<config.batchSize).map { _ in row(docs, layout: config.layout, length: maxLen, rng: &pick) }
            let T = rows.map { $0.count - 1 }.max()!
            let B = rows.count
            var tokens = [Int32](repeating: Tokenizer.pad, count: B * T), targets = [Int32](repeating: -1, count: B * T)
            var counted = 0
            for (b, r) in rows.enumerated() {
                for t in 0..<(r.count - 1) {
                    tokens[b * T + t] = r[t]
                    // BOS is never generated (it only opens a prompt), so the BOS that starts the next packed
                    // document is not a target.
                    guard r[t + 1] != Tokenizer.bos else { continue }
                    targets[b * T + t] = r[t + 1]; counted += 1
                }
            }
            model.zeroGradients()
            let out = model.forward(tokens: tokens, targets: targets, B: B, T: T)
            guard out.meanLoss.isFinite else {
                throw PretrainError.diverged(step: step, loss: out.meanLoss)
            }
            // L = −(1/N) Σ logprob over counted targets → dL/dlogprob = −1/N there, 0 at padding.
            let g = -1 / Float(counted)
            model.backward(dlogprobs: targets.map { $0 >= 0 ? g : 0 }, theta: true, w: false)
            model.theta.storage.withUnsafeMutableBufferPointer { p in
                model.gradTheta.storage.withUnsafeMutableBufferPointer { gr in
                    GradClip.clip([(gr.baseAddress!, n)], maxNorm: config.gradClip)
                    m.withUnsafeMutableBufferPointer { mp in
                        v.withUnsafeMutableBufferPointer { vp in
                            AdamW.update(params: p.baseAddress!, grads: gr.baseAddress!, m: mp.baseAddress!, v: vp.baseAddress!,
                                         count: n, step: step + 1, config: config.optimizer, learningRate: config.learningRate(at: step))
                        }
                    }
                }
            }
            losses.append(out.meanLoss)
            progress?(step + 1, config.steps, out.meanLoss)
        }
        model.zeroGradients()
        let tail = losses.suffix(100)
        let finalLoss = tail.isEmpty ? 0 : tail.reduce(0.0) { $0 + Double($1) } / Double(tail.count)
        return (model, Summary(finalLoss: finalLoss, losses: losses))
    }
}

extension Pretrainer {
    /// One row of a batch, `length` = context + 1 tokens at most. `document`: one random document (cut to
    /// `length`). `packed`: random documents concatenated until the row is full, the last one cut, so the
    /// row always holds exactly `length` tokens and starts with a document's BOS (as every prompt does).
    static func row(_ docs: [[Int32]], layout: PretrainLayout, length: Int, rng: inout RNG) -> [Int32] {
        switch layout {
        case .document:
            return Array(docs[rng.int(below: docs.count)].prefix(length))
        case .packed:
            var out: [Int32] = []
            out.reserveCapacity(length + 64)
            while out.count < length { out += docs[rng.int(below: docs.count)] }
            return Array(out.prefix(length))
        }
    }
}

/// Pretraining stopped on a non-finite loss.
public enum PretrainError: Error, CustomStringConvertible {
    case diverged(step: Int, loss: Float)
    public var description: String {
        switch self {
        case let .diverged(step, loss):
            return "pretraining diverged at step \(step) (loss \(loss)). Fix: lower optimizer.lr or raise warmup_steps; nothing was cached"
        }
    }
}
