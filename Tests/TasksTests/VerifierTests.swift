import Tasks
import TensorCore
import Testing

@Suite struct VerifierTests {
    func toks(_ s: String, eos: Bool = true) -> [Int32] { try! Tokenizer.standard.encode(s) + (eos ? [Tokenizer.eos] : []) }

    @Test func extractionAndNormalisation() {
        #expect(Verifier.check(completion: toks("8+6+0=14\n#534"), answer: "534") == .correct)
        #expect(Verifier.check(completion: toks("#0534"), answer: "534") == .correct)       // leading zeros
        #expect(Verifier.check(completion: toks("# 534\n"), answer: "534") == .correct)     // spaces, newline
        #expect(Verifier.check(completion: toks("#+534"), answer: "534") == .correct)       // sign
        #expect(Verifier.check(completion: toks("#-0"), answer: "0") == .correct)
        #expect(Verifier.check(completion: toks("#535"), answer: "534") == .incorrect)
        #expect(Verifier.check(completion: toks("#-534"), answer: "534") == .incorrect)
        #expect(Verifier.check(completion: toks("#534") + toks("#1"), answer: "534") == .correct) // cut at first EOS
    }

    @Test func malformedOutputs() {
        #expect(Verifier.check(completion: toks("534"), answer: "534") == .malformed)             // no marker
        #expect(Verifier.check(completion: toks("#534", eos: false), answer: "534") == .malformed) // no EOS
        #expect(Verifier.check(completion: toks("#5#34"), answer: "534") == .malformed)          // two markers
        #expect(Verifier.check(completion: toks("#"), answer: "534") == .malformed)              // empty
        #expect(Verifier.check(completion: toks("#5+3"), answer: "8") == .malformed)             // not an integer
        #expect(Verifier.check(completion: [Tokenizer.answerMarker, Tokenizer.bos, Tokenizer.eos], answer: "1") == .malformed)
        #expect(Verifier.check(completionText: "1,2, 3", answer: "1,2,3") == .malformed)
        #expect(Verifier.check(completionText: "#1,2, 3", answer: "1,2,3") == .correct)           // text answers
    }

    @Test func rewardScalesAndFlips() throws {
        var rng = RNG(seed: 1)
        let binary = RewardConfig(), pm1 = RewardConfig(rewardScale: .pm1)
        #expect(binary.reward(.correct, rng: &rng) == 1 && binary.reward(.incorrect, rng: &rng) == 0 && binary.reward(.malformed, rng: &rng) == 0)
        #expect(pm1.reward(.correct, rng: &rng) == 1 && pm1.reward(.incorrect, rng: &rng) == -1 && pm1.reward(.malformed, rng: &rng) == -1)
        let before = rng
        _ = binary.reward(.correct, rng: &rng)
        #expect(rng == before, "noise-free reward consumed random numbers")
        let noisy = RewardConfig(flipProbability: 0.2)
        let n = 5000
        let flips = (0..<n).filter { i in var r = RNG(seed: 3).derive("reward", UInt64(i)); return noisy.reward(.correct, rng: &r) == 0 }.count
        #expect(abs(Double(flips) / Double(n) - 0.2) < 0.02, "flip rate \(Double(flips) / Double(n))")
        #expect(RewardScale.unknownMessage("pm2").contains("did you mean 'pm1'?"))
    }
}
