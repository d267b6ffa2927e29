import Foundation
import GPT
import Tasks
import TensorCore

/// The periodic evaluation every method gets (same problems, same greedy decoding): pass@1 on the
/// benchmark suite, held-out SFT NLL, and forgetting probes (pretraining-format problems answered
/// directly; held-out SFT trace tasks).
public struct RunEvaluation {
    /// (metric name, tokenized prompts, reference answers) of every accuracy check.
    struct Check { let metric: String; let prompts: [[Int32]]; let answers: [String] }
    let checks: [Check]
    let benchmarkMetrics: [String]
    let heldout: TokenBatch?
    let maxNewTokens: Int

    public init(config: TrainConfig, data: TrainData, contextLength: Int) throws {
        let tok = Tokenizer.standard
        func check(_ metric: String, _ examples: [Example]) throws -> Check {
            Check(metric: metric, prompts: try examples.map { try tok.encodePrompt($0.prompt, context: metric) }, answers: examples.map(\.answer))
        }
        var checks: [Check] = []
        for (b, examples) in try BenchmarkSuite.build(config.eval.benchmarks) {
            checks.append(try check(Metric.evalAccuracy(b.name), examples))
        }
        benchmarkMetrics = checks.map(\.metric)
        if config.eval.forgettingProbes, config.eval.probeSize > 0 {
            let pretrainProblems = data.sets.pretrain.map(PretrainFacts.example(fromDocument:)).filter { !$0.answer.isEmpty }
            checks.append(try check(Metric.evalProbePretrain, Array(pretrainProblems.prefix(config.eval.probeSize))))
            checks.append(try check(Metric.evalProbeSFTOnly, Array(data.sets.heldout.prefix(config.eval.probeSize))))
        }
        self.checks = checks.filter { !$0.prompts.isEmpty }
        let held = Array(data.heldout.prefix(config.eval.heldoutSize))
        heldout = held.isEmpty ? nil : TrainData.batch(held, contextLength: contextLength)
        maxNewTokens = config.eval.maxNewTokens
    }

    /// Evaluates the model's current policy (θ with w unmerged: the same function as merged).
    /// Returns metrics in a fixed order: per-benchmark accuracy, mean accuracy, held-out NLL, probes.
    public func run(_ model: GPTModel) -> [(String, Double)] {
        var out: [(String, Double)] = []
        var benchmarkSum = 0.0
        for c in checks {
            let acc = accuracy(model, c)
            out.append((c.metric, acc))
            if benchmarkMetrics.contains(c.metric) {
                benchmarkSum += acc
                if c.metric == benchmarkMetrics.last {
                    out.append((Metric.evalMeanAccuracy, benchmarkSum / Double(benchmarkMetrics.count)))
                    if let heldout {
                        let lp = model.forward(tokens: heldout.tokens, targets: heldout.targets, B: heldout.B, T: heldout.T).logprobs
                        out.append((Metric.evalSFTHeldoutNLL, SFTLoss.compute(logprobs: lp, mask: heldout.mask).loss))
                    }
                }
            }
        }
        return out
    }

    /// Greedy pass@1 (temperature 0: no randomness is drawn).
    func accuracy(_ model: GPTModel, _ c: Check) -> Double {
        var rngs = [RNG](repeating: RNG(seed: 0), count: c.prompts.count)
        let out = model.sample(prompts: c.prompts, maxNewTokens: maxNewTokens,
                               options: SamplingOptions(temperature: 0, eosToken: Tokenizer.eos), rngs: &rngs)
        let correct = zip(out.tokens, c.answers).filter { Verifier.check(completion: $0, answer: $1) == .correct }.count
        return Double(correct) / Double(c.prompts.count)
    }
}
