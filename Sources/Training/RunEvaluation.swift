import Foundation
import GPT
import Tasks
import TensorCore

/// The periodic evaluation every method gets (same problems, same greedy decoding), built on the tasks
/// helper's `Evaluator`: pass@1 on the benchmark suite, held-out SFT NLL, and the forgetting probes
/// (unseen direct-answer problems, pretraining documents, held-out SFT trace problems).
public struct RunEvaluation {
    let evaluator: Evaluator
    let probes: [(name: String, examples: [Example])]
    let heldout: TokenBatch?

    public init(config: TrainConfig, data: TrainData, contextLength: Int) throws {
        evaluator = try Evaluator(config: config.eval.suite, contextLength: contextLength)
        var probes: [(name: String, examples: [Example])] = []
        if config.eval.forgettingProbes, config.eval.probeSize > 0 {
            // Unseen problems of the held-out region: the base model's skill on problems no stage trained on.
            probes.append((Metric.probePretrain,
                           try TaskDatasets.retentionProbe(config.data.dataset, count: config.eval.probeSize)))
            // Corpus documents: what pretraining memorised (none of them is an SFT, RL or test problem).
            let pretrainProblems = data.sets.pretrain.lazy.map(PretrainFacts.example(fromDocument:)).filter { !$0.answer.isEmpty }
            probes.append((Metric.probePretrainSeen, Array(pretrainProblems.prefix(config.eval.probeSize)).map(\.direct)))
            probes.append((Metric.probeSFTOnly, Array(data.sets.heldout.prefix(config.eval.probeSize))))
        }
        self.probes = probes.filter { !$0.examples.isEmpty }
        let held = Array(data.heldout.prefix(config.eval.heldoutSize))
        heldout = held.isEmpty ? nil : TrainData.batch(held, contextLength: contextLength)
    }

    /// Evaluates the current policy (θ with w unmerged computes the same function as merged).
    /// Metrics in a fixed order: the suite's (per set, then means), held-out NLL, then the probes.
    public func run(_ model: GPTModel) throws -> [(String, Double)] {
        var out = evaluator.evaluate(model).metrics.map { ($0.name, $0.value) }
        if let heldout {
            let lp = model.forward(tokens: heldout.tokens, targets: heldout.targets, B: heldout.B, T: heldout.T).logprobs
            out.append((Metric.evalSFTHeldoutNLL, SFTLoss.compute(logprobs: lp, mask: heldout.mask).loss))
        }
        if !probes.isEmpty {
            let report = try evaluator.evaluate(model, sets: probes)
            for s in report.sets {
                out.append((EvalMetricNames.accuracy(s.name), s.accuracy))
                out.append((EvalMetricNames.formatErrorRate(s.name), s.formatErrorRate))
            }
        }
        return out
    }
}
