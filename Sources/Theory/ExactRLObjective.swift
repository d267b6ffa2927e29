import Foundation
import GPT
import TensorCore

/// Exact-expectation RL on an enumerable output space with the tiny GPT + LoRA.
///
/// Vocabulary V = answer_vocab tokens; prompt p (p < prompts) is the single token p; an answer is any
/// sequence of L tokens, so each prompt has V^L answers and every expectation is an exact sum over all
/// P·V^L (prompt, answer) pairs, evaluated in ONE forward over a batch of B = P·V^L rows of T = L + 1.
///   π(s | p) = Π_t π(s_t | p, s_<t)                     (product of the model's next-token probabilities)
///   R(p, s) = 1 if s equals prompt p's target answer, else 0   (verifiable exact-match reward)
///   J_RL(θ, w) = (1/P) Σ_p Σ_s π(s|p)·R(p, s)
///   g(θ, w) = −J_RL + β·KL(π ‖ π_ref)  (lower loss; π_ref = the policy at construction; the KL makes
///             the optimum finite: over distributions it is π*(s|p) ∝ π_ref(s|p)·e^{R/β}, with value
///             g* = −(β/P) Σ_p log Σ_s π_ref(s|p) e^{R(p,s)/β})
///   f(θ, w) = SFT loss: mean token NLL of prompt p's expert answer (upper loss).
/// ∇g is exact: ∂g/∂log π(s|p) = π(s|p)(c(s) + β)/P with c = −R + β(log π − log π_ref), spread over
/// the L answer positions' log-probs and pushed through GPTModel.backward.
public final class ExactRLObjective {
    public let model: GPTModel
    public let settings: ExactRLSettings
    /// All answers (V^L of them), each L tokens.
    public let answers: [[Int32]]
    /// Target answer index per prompt (reward 1), from the seed.
    public let targets: [Int]
    /// Expert (SFT) answer index per prompt: the target for even prompts, another answer for odd ones,
    /// so that SFT and RL disagree on part of the data, as in BRIDGE's setting.
    public let experts: [Int]
    /// log π_ref(s|p), row p·V^L + s.
    public private(set) var referenceLogProb: [Double] = []
    let tokens: [Int32]
    let targetsRL: [Int32]
    var P: Int { settings.prompts }
    var S: Int { answers.count }
    var L: Int { settings.answerLength }

    public init(settings s: ExactRLSettings, rng: RNG) throws {
        guard s.answerVocab >= 2, s.answerLength >= 1, s.prompts >= 1, s.prompts <= s.answerVocab else {
            throw TheoryError.invalidConfig("exact_rl needs answer_vocab >= 2, answer_length >= 1 and 1 <= prompts <= answer_vocab")
        }
        let count = Int(pow(Double(s.answerVocab), Double(s.answerLength)))
        guard count * s.prompts <= 4096 else { throw TheoryError.invalidConfig("exact_rl: prompts·answer_vocab^answer_length = \(count * s.prompts) > 4096; shrink the space") }
        settings = s
        let config = GPTConfig(vocabSize: s.answerVocab, contextLength: s.answerLength + 1, channels: s.channels, layers: s.layers, heads: s.heads)
        do { try config.validate(source: "exact_rl") } catch { throw TheoryError.invalidConfig("\(error)") }
        model = GPTModel(config: config, lora: LoRAConfig(rank: s.loraRank, alpha: Double(s.loraRank), targets: LoRATarget.allCases),
                         rng: rng.derive("exact_rl/model"))
        // B = 0 would make w inert at the start; small random B lets the adapters act from step 0.
        var brng = rng.derive("exact_rl/lora_b")
        for t in model.w.tensors where t.name.hasSuffix("lora_b") {
            for i in 0..<t.count { model.w.storage[t.offset + i] = Float(0.02 * brng.normal()) }
        }
        answers = (0..<count).map { idx in
            var r = idx
            return (0..<s.answerLength).map { _ in let v = Int32(r % s.answerVocab); r /= s.answerVocab; return v }
        }
        var trng = rng.derive("exact_rl/targets")
        let targetList = (0..<s.prompts).map { _ in trng.int(below: count) }
        targets = targetList
        experts = (0..<s.prompts).map { p in p % 2 == 0 ? targetList[p] : (targetList[p] + 1 + trng.int(below: count - 1)) % count }
        var tok: [Int32] = [], tgt: [Int32] = []
        let answerList = answers
        for p in 0..<s.prompts { for a in answerList {
            tok += [Int32(p)] + a
            tgt += a + [-1]
        } }
        tokens = tok; targetsRL = tgt
        referenceLogProb = sequenceLogProbs()
    }

    /// log π(s|p) for every (p, s) row (forward over the whole space).
    public func sequenceLogProbs() -> [Double] {
        let T = L + 1
        let out = model.forward(tokens: tokens, targets: targetsRL, B: P * S, T: T, backwardFollows: false)
        return (0..<(P * S)).map { r in (0..<L).reduce(0.0) { $0 + Double(out.logprobs[r * T + $1]) } }
    }

    public func reward(_ p: Int, _ s: Int) -> Double { s == targets[p] ? 1 : 0 }

    public struct Value: Sendable {
        /// J_RL = E[R] (exact).
        public var expectedReward: Double
        /// KL(π ‖ π_ref) (exact, prompt-averaged).
        public var kl: Double
        /// g = −J_RL + β·KL.
        public var lowerLoss: Double
    }

    /// Exact J_RL, KL and g at the model's current (θ, w); with `gradient`, also ∇θ g (into gradTheta) and
    /// ∇w g (into gradW), both zeroed first.
    @discardableResult
    public func evaluate(gradientTheta: Bool = false, gradientW: Bool = false) -> Value {
        let T = L + 1, beta = settings.klWeight
        let lp = sequenceLogProbs() // this forward is the one backward uses
        var j = 0.0, kl = 0.0
        var d = [Float](repeating: 0, count: P * S * T)
        for p in 0..<P { for s in 0..<S {
            let r = p * S + s
            let pi = exp(lp[r]), c = -reward(p, s) + beta * (lp[r] - referenceLogProb[r])
            j += pi * reward(p, s) / Double(P)
            kl += pi * (lp[r] - referenceLogProb[r]) / Double(P)
            let w = Float(pi * (c + beta) / Double(P))
            for t in 0..<L { d[r * T + t] = w }
        } }
        if gradientTheta || gradientW {
            model.zeroGradients()
            model.backward(dlogprobs: d, theta: gradientTheta, w: gradientW)
        }
        return Value(expectedReward: j, kl: kl, lowerLoss: -j + beta * kl)
    }

    /// The lower optimum over all distributions, g* = −(β/P) Σ_p log Σ_s π_ref e^{R/β} (a lower bound the
    /// model may or may not reach).
    public var distributionalOptimum: Double {
        let beta = settings.klWeight
        var total = 0.0
        for p in 0..<P {
            var z = 0.0
            for s in 0..<S { z += exp(referenceLogProb[p * S + s] + reward(p, s) / beta) }
            total += log(z)
        }
        return -beta * total / Double(P)
    }

    /// SFT loss f: mean token NLL of the expert answers; with `gradientW`/`gradientTheta`, its gradients.
    @discardableResult
    public func sftLoss(gradientTheta: Bool = false, gradientW: Bool = false) -> Double {
        let T = L + 1
        var tok: [Int32] = [], tgt: [Int32] = []
        for p in 0..<P { tok += [Int32(p)] + answers[experts[p]]; tgt += answers[experts[p]] + [-1] }
        let out = model.forward(tokens: tok, targets: tgt, B: P, T: T, backwardFollows: gradientTheta || gradientW)
        if gradientTheta || gradientW {
            model.zeroGradients()
            var d = [Float](repeating: 0, count: P * T)
            for p in 0..<P { for t in 0..<L { d[p * T + t] = -1 / Float(P * L) } }
            model.backward(dlogprobs: d, theta: gradientTheta, w: gradientW)
        }
        return Double(out.meanLoss)
    }

    /// K gradient steps θ ← θ − α∇θ g (w fixed). Returns ‖∇θ g‖ at the final point.
    @discardableResult
    public func lowerSteps(_ k: Int, step: Double) -> Double {
        for _ in 0..<k {
            evaluate(gradientTheta: true)
            let a = Float(step)
            for i in 0..<model.theta.count { model.theta.storage[i] -= a * model.gradTheta.storage[i] }
        }
        evaluate(gradientTheta: true)
        return Self.norm(model.gradTheta.storage)
    }

    static func norm(_ v: [Float]) -> Double { (v.reduce(0.0) { $0 + Double($1) * Double($1) }).squareRoot() }
}
