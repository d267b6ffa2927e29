import Foundation
import GPT
import Testing
import TensorCore

/// KV-cache sampling against recomputing the full forward for every new token.
@Suite("GPT sampling")
struct SamplingTests {
    /// Reference sampler: full forward over the whole prefix for each token, the same token rule
    /// (argmax, or one uniform from rngs[b] walked over the probabilities in id order).
    static func reference(_ m: GPTModel, prompt: [Int32], maxNew: Int, temperature: Float, eos: Int32, rng: inout RNG) -> [Int32] {
        var seq = prompt, out: [Int32] = []
        while out.count < maxNew && seq.count < m.config.contextLength {
            let T = seq.count
            // log-probs of every candidate at the last position: score each token as target.
            var logits = [Float](repeating: 0, count: m.config.vocabSize)
            for v in 0..<m.config.vocabSize {
                var targets = [Int32](repeating: -1, count: T)
                targets[T - 1] = Int32(v)
                logits[v] = m.forward(tokens: seq, targets: targets, B: 1, T: T, temperature: 1).logprobs[T - 1]
            }
            let tok = Int32(rng.categoricalReference(logprobs: logits, temperature: temperature))
            out.append(tok); seq.append(tok)
            if tok == eos { break }
        }
        return out
    }

    static func prompts(V: Int) -> [[Int32]] {
        [Fixture.tokens(3, V: V, seed: 11), Fixture.tokens(1, V: V, seed: 12), Fixture.tokens(5, V: V, seed: 13),
         Fixture.tokens(2, V: V, seed: 14)]
    }

    @Test("greedy KV-cache sampling equals full recomputation, prompts of different lengths")
    func greedy() {
        let m = Fixture.model(config: GPTConfig(vocabSize: 11, contextLength: 16, channels: 8, layers: 2, heads: 2), scale: 0.5)
        let ps = Self.prompts(V: 11)
        var rngs = ps.indices.map { RNG(seed: 9).derive("s", UInt64($0)) }
        let got = m.sample(prompts: ps, maxNewTokens: 6, options: SamplingOptions(temperature: 0), rngs: &rngs)
        for (b, p) in ps.enumerated() {
            var r = RNG(seed: 1)
            let want = Self.reference(m, prompt: p, maxNew: 6, temperature: 0, eos: -1, rng: &r)
            #expect(got.tokens[b] == want, "sequence \(b): cache \(got.tokens[b]) vs full \(want)")
            #expect(got.lengths[b] == want.count)
        }
    }

    @Test("sampled KV-cache tokens equal full recomputation with the same per-sequence streams; EOS stops")
    func sampled() {
        let m = Fixture.model(config: GPTConfig(vocabSize: 11, contextLength: 16, channels: 8, layers: 2, heads: 2), scale: 0.5)
        let ps = Self.prompts(V: 11)
        let streams = ps.indices.map { RNG(seed: 21).derive("s", UInt64($0)) }
        var rngs = streams
        let opts = SamplingOptions(temperature: 0.9, eosToken: 3)
        let got = m.sample(prompts: ps, maxNewTokens: 8, options: opts, rngs: &rngs)
        for (b, p) in ps.enumerated() {
            var r = streams[b]
            let want = Self.reference(m, prompt: p, maxNew: 8, temperature: 0.9, eos: 3, rng: &r)
            #expect(got.tokens[b] == want, "sequence \(b): cache \(got.tokens[b]) vs full \(want)")
            #expect(r == rngs[b], "sequence \(b): stream advanced differently")
        }
        // A sequence's tokens do not depend on the batch it is sampled in.
        var alone = [streams[2]]
        let single = m.sample(prompts: [ps[2]], maxNewTokens: 8, options: opts, rngs: &alone)
        #expect(single.tokens[0] == got.tokens[2])
    }
}

extension SamplingTests {
    /// Generation 2 prunes the prefill to each prompt's last row after the last layer's keys and values
    /// and fuses multiply-adds; generation 1 does neither. Both compute the same distribution: the same
    /// tokens on this case, log-probs within 1e-5; and each is deterministic.
    @Test("the kernel generations sample the same tokens with log-probs within 1e-5 (prompts of 1 to 19 tokens)")
    func generationsAgree() {
        let m = Fixture.model(config: GPTConfig(vocabSize: 37, contextLength: 40, channels: 32, layers: 3, heads: 2), scale: 0.5)
        let ps = [19, 1, 8, 13, 1, 9].enumerated().map { Fixture.tokens($1, V: 37, seed: 40 + UInt64($0)) }
        let streams = ps.indices.map { RNG(seed: 33).derive("s", UInt64($0)) }
        func run(_ g: KernelGeneration) -> SampleBatch {
            var r = streams
            return m.sample(prompts: ps, maxNewTokens: 12, options: SamplingOptions(temperature: 0.7), rngs: &r, kernels: g)
        }
        let one = run(.v1), two = run(.v2)
        #expect(one.tokens == two.tokens)
        for (a, b) in zip(one.logprobs.joined(), two.logprobs.joined()) { #expect(abs(a - b) <= 1e-5, "\(a) vs \(b)") }
        #expect(run(.v2).logprobs.map { $0.map(\.bitPattern) } == two.logprobs.map { $0.map(\.bitPattern) })
        // Generation 3 changes only the training step: it samples with generation 2's bits.
        let three = run(.v3)
        #expect(three.tokens == two.tokens && three.logprobs.map { $0.map(\.bitPattern) } == two.logprobs.map { $0.map(\.bitPattern) })
    }

    @Test("top-k = 1 and a tiny top-p reduce to greedy (log-prob 0); top-k = 3 draws from the 3 most likely with renormalised log-probs")
    func topKTopP() {
        let m = Fixture.model(config: GPTConfig(vocabSize: 11, contextLength: 16, channels: 8, layers: 2, heads: 2), scale: 0.5)
        let ps = Self.prompts(V: 11)
        func run(_ o: SamplingOptions) -> SampleBatch {
            var rngs = ps.indices.map { RNG(seed: 5).derive("s", UInt64($0)) }
            return m.sample(prompts: ps, maxNewTokens: 6, options: o, rngs: &rngs)
        }
        let greedy = run(SamplingOptions(temperature: 0))
        for o in [SamplingOptions(temperature: 1, topK: 1), SamplingOptions(temperature: 1.3, topP: 1e-6)] {
            let got = run(o)
            #expect(got.tokens == greedy.tokens, "\(o): \(got.tokens) vs greedy \(greedy.tokens)")
            #expect(got.logprobs.allSatisfy { $0.allSatisfy { abs($0) < 1e-6 } })
        }
        let k3 = run(SamplingOptions(temperature: 0.8, topK: 3))
        for (b, p) in ps.enumerated() {
            var seq = p
            for (i, tok) in k3.tokens[b].enumerated() {
                let T = seq.count
                let lp: [Double] = (0..<11).map { v in
                    var targets = [Int32](repeating: -1, count: T)
                    targets[T - 1] = Int32(v)
                    return Double(m.forward(tokens: seq, targets: targets, B: 1, T: T, temperature: 0.8).logprobs[T - 1])
                }
                let top = lp.indices.sorted { lp[$0] > lp[$1] }.prefix(3)
                #expect(top.contains(Int(tok)), "sequence \(b) step \(i): token \(tok) not in top-3 \(Array(top))")
                let norm = Foundation.log(top.map { Foundation.exp(lp[$0]) }.reduce(0, +))
                let want = lp[Int(tok)] - norm
                #expect(abs(Double(k3.logprobs[b][i]) - want) < 1e-4, "log-prob \(k3.logprobs[b][i]) vs \(want)")
                seq.append(tok)
            }
        }
    }

    /// A model keeps its KV cache, decoder buffers and packed weights for the next call. Calls of larger and
    /// smaller batches, longer and shorter prompts, and a call after θ changed must give the bits of a
    /// model that allocates everything afresh, in every kernel generation.
    @Test("sampling calls that reuse the model's buffers equal a fresh model's, bit for bit", arguments: KernelGeneration.allCases)
    func reusedBuffersGiveFreshBits(_ g: KernelGeneration) {
        let config = GPTConfig(vocabSize: 23, contextLength: 40, channels: 16, layers: 2, heads: 2)
        let m = Fixture.model(config: config, scale: 0.5)
        let calls: [(prompts: Int, length: Int, new: Int)] = [(6, 5, 10), (3, 2, 4), (8, 17, 12), (8, 3, 20), (2, 9, 3)]
        for (i, call) in calls.enumerated() {
            if i == 3 { for k in stride(from: 0, to: m.theta.count, by: 7) { m.theta.storage[k] += 0.01 } }
            let prompts = (0..<call.prompts).map { Fixture.tokens(call.length + $0 % 3, V: 23, seed: 90 + UInt64(10 * i + $0)) }
            func run(_ model: GPTModel) -> SampleBatch {
                var r = prompts.indices.map { RNG(seed: 5).derive("r", UInt64($0)) }
                return model.sample(prompts: prompts, maxNewTokens: call.new, options: SamplingOptions(temperature: 0.9), rngs: &r, kernels: g)
            }
            let reused = run(m), fresh = run(m.copy())
            #expect(reused.tokens == fresh.tokens, "call \(i)")
            #expect(reused.logprobs.map { $0.map(\.bitPattern) } == fresh.logprobs.map { $0.map(\.bitPattern) }, "call \(i)")
        }
    }
}

extension RNG {
    /// The sampling rule of `SamplingOptions` without top-k/top-p, written independently from log-probs:
    /// argmax at temperature 0, else one uniform walked over softmax(logprobs / temperature) in id order.
    mutating func categoricalReference(logprobs: [Float], temperature: Float) -> Int {
        var best = 0
        for i in logprobs.indices where logprobs[i] > logprobs[best] { best = i }
        if temperature <= 0 { return best }
        let p = logprobs.map { Foundation.exp(Double($0 - logprobs[best]) / Double(temperature)) }
        let u = uniform() * p.reduce(0, +)
        var acc = 0.0
        for (i, x) in p.enumerated() { acc += x; if u < acc { return i } }
        return best
    }
}
