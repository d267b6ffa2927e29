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
    /// The validation problems (public for the disjointness tests).
    public let validation: [Example]
    let validationBatch: TokenBatch?

    public init(config: TrainConfig, data: TrainData, contextLength: Int) throws {
        evaluator = try Evaluator(config: config.eval.suite, contextLength: contextLength)
        let wantsProbes = config.eval.forgettingProbes && config.eval.probeSize > 0
        // Unseen problems of the held-out region: probe_pretrain, and what validation must leave out.
        let retention = wantsProbes || config.eval.validationSize > 0
            ? try TaskDatasets.retentionProbe(config.data.dataset, count: config.eval.probeSize) : []
        var probes: [(name: String, examples: [Example])] = []
        if wantsProbes {
            // The base model's skill on problems no stage trained on.
            probes.append((Metric.probePretrain, retention))
            // Corpus documents: what pretraining memorised (none of them is an SFT, RL or test problem).
            let pretrainProblems = data.sets.pretrain.lazy.map(PretrainFacts.example(fromDocument:)).filter { !$0.answer.isEmpty }
            probes.append((Metric.probePretrainSeen, Array(pretrainProblems.prefix(config.eval.probeSize)).map(\.direct)))
            probes.append((Metric.probeSFTOnly, Array(data.sets.heldout.prefix(config.eval.probeSize))))
        }
        self.probes = probes.filter { !$0.examples.isEmpty }
        // Validation: the held-out problems after probe_sft_only's share, less any that probe_pretrain (drawn
        // from the same region; small problems recur) also scores, so no test problem is tuned on.
        let probeShare = config.eval.forgettingProbes ? config.eval.probeSize : 0
        var picked: [Int] = []
        if config.eval.validationSize > 0 {
            let retained = Set(retention.map(\.prompt))
            for i in probeShare..<data.sets.heldout.count where picked.count < config.eval.validationSize {
                if !retained.contains(data.sets.heldout[i].prompt) { picked.append(i) }
            }
            guard picked.count == config.eval.validationSize else {
                throw TrainError.data("eval.validation_size: only \(picked.count) of the held-out problems after probe_sft_only's "
                    + "\(probeShare) are not in probe_pretrain; \(config.eval.validationSize) were asked for. Fix: raise "
                    + "data.dataset.heldout_size or lower eval.validation_size")
            }
        }
        validation = picked.map { data.sets.heldout[$0] }
        let tokenized = picked.map { data.heldout[$0] }
        validationBatch = tokenized.isEmpty ? nil : TrainData.batch(tokenized, contextLength: contextLength)
        let held = Array(data.heldout.prefix(config.eval.heldoutSize))
        heldout = held.isEmpty ? nil : TrainData.batch(held, contextLength: contextLength)
    }

    /// Evaluates the current policy (θ with w unmerged computes the same function as merged).
    /// Metrics in a fixed order: the suite's (per set, then means), held-out NLL, validation, then the probes.
    public func run(_ model: GPTModel) throws -> [(String, Double)] {
        var out = evaluator.evaluate(model).metrics.map { ($0.name, $0.value) }
        if let heldout {
            let lp = model.forward(tokens: heldout.tokens, targets: heldout.targets, B: heldout.B, T: heldout.T, backwardFollows: false).logprobs
            out.append((Metric.evalSFTHeldoutNLL, SFTLoss.compute(logprobs: lp, mask: heldout.mask).loss))
        }
        if !validation.isEmpty, let v = validationBatch {
            let s = try evaluator.evaluate(model, sets: [(Metric.validation, validation)]).sets[0]
            out.append((EvalMetricNames.accuracy(s.name), s.accuracy))
            out.append((EvalMetricNames.formatErrorRate(s.name), s.formatErrorRate))
            out.append((EvalMetricNames.meanLength(s.name), s.meanCompletionLength))
            let lp = model.forward(tokens: v.tokens, targets: v.targets, B: v.B, T: v.T, backwardFollows: false).logprobs
            out.append((Metric.evalValidationNLL, SFTLoss.compute(logprobs: lp, mask: v.mask).loss))
        }
        if !probes.isEmpty {
            let report = try evaluator.evaluate(model, sets: probes)
            for s in report.sets {
                out.append((EvalMetricNames.accuracy(s.name), s.accuracy))
                out.append((EvalMetricNames.formatErrorRate(s.name), s.formatErrorRate))
                out.append((EvalMetricNames.meanLength(s.name), s.meanCompletionLength)) // response length per skill (the paper's forgetting figures)
            }
        }
        return out
    }
}
