import TensorCore
import BridgeSupport

/// Extracts the final answer of a model's completion and checks it against the reference.
///
/// Rules (documented in docs/tasks.md):
/// 1. The completion is cut at its first EOS. No EOS (the sampler hit its length limit) → malformed.
/// 2. The answer is the text after the first answer marker '#'. No marker, a second marker, or a
///    BOS/PAD/unknown id after it → malformed.
/// 3. Normalisation of both sides: spaces and newlines removed; then, if the reference is an integer,
///    the extracted text must be an integer (optional sign, digits) → compared as integers written
///    canonically ("+007" → "7", "-0" → "0"); a non-integer extraction is malformed. A non-integer
///    reference (user data) is compared as text after the whitespace removal.
public enum Verifier {
    /// The outcome of checking one completion.
    public enum Verdict: String, Sendable, Equatable, Codable {
        case correct, incorrect, malformed
    }

    /// Checks completion tokens (as generated after the prompt, EOS included if produced).
    public static func check(completion: [Int32], answer: String, tokenizer: Tokenizer = .standard) -> Verdict {
        extract(completion: completion, tokenizer: tokenizer).map { judge($0, answer) } ?? .malformed
    }

    /// The raw answer text of a completion (after '#', before EOS), nil when malformed per rules 1-2.
    public static func extract(completion: [Int32], tokenizer: Tokenizer = .standard) -> String? {
        guard let end = completion.firstIndex(of: Tokenizer.eos) else { return nil }
        let body = completion[..<end]
        guard let marker = body.firstIndex(of: Tokenizer.answerMarker) else { return nil }
        var text = ""
        for t in body[(marker + 1)...] {
            guard t != Tokenizer.answerMarker, let c = tokenizer.character(of: t) else { return nil }
            text.append(c)
        }
        return text
    }

    /// Checks completion text (e.g. from a file): the text must contain "#answer"; EOS is implied by the end.
    public static func check(completionText: String, answer: String) -> Verdict {
        guard let marker = completionText.firstIndex(of: Tokenizer.answerMarkerCharacter) else { return .malformed }
        let tail = completionText[completionText.index(after: marker)...]
        if tail.contains(Tokenizer.answerMarkerCharacter) { return .malformed }
        return judge(String(tail), answer)
    }

    /// Rule 3: compares an extracted answer with the reference.
    public static func judge(_ extracted: String, _ reference: String) -> Verdict {
        let ref = stripSpace(reference), got = stripSpace(extracted)
        if let r = canonicalInteger(ref) {
            guard let g = canonicalInteger(got) else { return .malformed }
            return g == r ? .correct : .incorrect
        }
        if got.isEmpty { return .malformed }
        return got == ref ? .correct : .incorrect
    }

    static func stripSpace(_ s: String) -> String { s.filter { $0 != " " && $0 != "\n" } }

    /// "+007" → "7", "-0" → "0", "-12" → "-12"; nil unless optional sign followed by 1+ digits.
    public static func canonicalInteger(_ s: String) -> String? {
        var chars = Substring(s)
        var negative = false
        if let f = chars.first, f == "+" || f == "-" { negative = f == "-"; chars = chars.dropFirst() }
        guard !chars.isEmpty, chars.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let digits = chars.drop(while: { $0 == "0" })
        if digits.isEmpty { return "0" }
        return (negative ? "-" : "") + digits
    }
}

/// The values of a verifiable reward.
public enum RewardScale: String, ConfigChoice {
    /// R ∈ {0, 1} (our default, method.md).
    case binary
    /// R ∈ {−1, +1} (the paper's).
    case pm1
}

/// The verifiable reward: exact match → high, otherwise (incorrect or malformed) → low.
public struct RewardConfig: Codable, Sendable, Equatable {
    /// `binary`: R ∈ {0, 1} (our default, method.md); `pm1`: R ∈ {−1, +1} (the paper's).
    public var rewardScale: RewardScale = .binary
    /// Probability p that a reward is flipped (high ↔ low): the paper's noisy-reward experiment (0 = off).
    public var flipProbability: Double = 0

    public init(rewardScale: RewardScale = .binary, flipProbability: Double = 0) {
        self.rewardScale = rewardScale; self.flipProbability = flipProbability
    }
    enum CodingKeys: String, CodingKey { case rewardScale = "reward_scale", flipProbability = "flip_probability" }

    public func validate(source: String = "reward") throws {
        guard flipProbability >= 0, flipProbability <= 1 else {
            throw ConfigErrorShim.invalid(source, "flip_probability", "must be in [0, 1], got \(flipProbability)", "use e.g. 0.2")
        }
    }

    /// Reward of a correct answer.
    public var high: Double { 1 }
    /// Reward of an incorrect or malformed answer.
    public var low: Double { rewardScale == .pm1 ? -1 : 0 }

    /// The (possibly flipped) reward of a verdict. `rng` is consumed only when flipProbability > 0,
    /// so noise-free runs draw no numbers; pass a per-rollout stream (`rng.derive("reward", i)`).
    public func reward(_ verdict: Verifier.Verdict, rng: inout RNG) -> Double {
        var correct = verdict == .correct
        if flipProbability > 0, rng.bernoulli(flipProbability) { correct.toggle() }
        return correct ? high : low
    }
}
