import Foundation
import TensorCore

/// How the next token is drawn from the logits.
public struct SamplingOptions: Codable, Sendable, Equatable {
    /// Softmax temperature; 0 = greedy (argmax, first maximum). 1 samples from the model.
    public var temperature: Float = 1
    /// Keep only the k most likely tokens (ties broken by lower id); 0 = off.
    public var topK: Int = 0
    /// Nucleus: keep the smallest set of most likely tokens whose probability reaches p; 1 = off.
    public var topP: Float = 1
    /// Generation of a sequence stops after this token; -1 = no stop token.
    public var eosToken: Int32 = -1

    public init(temperature: Float = 1, topK: Int = 0, topP: Float = 1, eosToken: Int32 = -1) {
        self.temperature = temperature; self.topK = topK; self.topP = topP; self.eosToken = eosToken
    }

    enum CodingKeys: String, CodingKey { case temperature, topK = "top_k", topP = "top_p", eosToken = "eos_token" }
}

/// Output of `GPTModel.sample`.
public struct SampleBatch: Sendable, Equatable {
    /// Generated tokens per sequence (prompt excluded; the stop token included when hit).
    public var tokens: [[Int32]]
    /// log-prob of each generated token under the sampling distribution (after temperature, top-k,
    /// top-p; 0 for greedy, whose distribution is a point mass).
    public var logprobs: [[Float]]
    /// Number of generated tokens per sequence.
    public var lengths: [Int]
}

/// Draws one token from a row of logits; scratch buffers are reused across calls.
struct TokenChooser {
    let options: SamplingOptions
    var probs: [Double]
    var order: [Int]

    init(options: SamplingOptions, vocabSize V: Int) {
        self.options = options
        probs = [Double](repeating: 0, count: V)
        order = Array(0..<V)
    }

    /// (token, log-prob under the sampling distribution). Greedy draws nothing from rng; otherwise
    /// exactly one uniform per call.
    mutating func choose(_ logits: ConstFloatPointer, rng: inout RNG) -> (Int32, Float) {
        let V = probs.count
        var best = 0
        for i in 1..<V where logits[i] > logits[best] { best = i }
        if options.temperature <= 0 { return (Int32(best), 0) }
        let invT = 1 / Double(options.temperature), m = Double(logits[best])
        var total = 0.0
        for i in 0..<V { let e = Foundation.exp((Double(logits[i]) - m) * invT); probs[i] = e; total += e }
        let k = options.topK > 0 ? min(options.topK, V) : V
        let filtered = k < V || options.topP < 1
        if !filtered {
            let target = rng.uniform() * total
            var acc = 0.0, pick = best
            for i in 0..<V { acc += probs[i]; if target < acc { pick = i; break } }
            return (Int32(pick), Float(Foundation.log(probs[pick] / total)))
        }
        // Most likely first, ties by lower id; keep the top k, then the nucleus of mass topP.
        for i in 0..<V { order[i] = i }
        let p = probs
        order.sort { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }
        var kept = 0, mass = 0.0
        let limit = Double(options.topP) * total
        while kept < k {
            mass += probs[order[kept]]
            kept += 1
            if options.topP < 1 && mass >= limit { break }
        }
        let target = rng.uniform() * mass
        var acc = 0.0, pick = order[0]
        for j in 0..<kept { acc += probs[order[j]]; if target < acc { pick = order[j]; break } }
        return (Int32(pick), Float(Foundation.log(probs[pick] / mass)))
    }
}
