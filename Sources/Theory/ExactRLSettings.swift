import Foundation

/// Exact-expectation RL on an enumerable output space (experiment `exact_rl`).
public struct ExactRLSettings: Codable, Sendable, Equatable {
    /// Answer alphabet size: answers are sequences over tokens 1...answer_vocab (token 0 is the prompt/BOS).
    public var answerVocab: Int = 3
    /// Answer length L: the output space has answer_vocab^L sequences (27 by default), summed exactly.
    public var answerLength: Int = 3
    /// Number of prompts (each a distinct first token) with their own target answer.
    public var prompts: Int = 2
    /// KL weight β to the reference policy: makes the lower optimum finite (pure reward has none); 0.5 puts π*(target) near 0.2 for 27 answers, reachable by the tiny model.
    public var klWeight: Double = 0.5
    /// Channels C of the tiny GPT.
    public var channels: Int = 16
    /// Layers of the tiny GPT.
    public var layers: Int = 1
    /// Heads NH of the tiny GPT.
    public var heads: Int = 2
    /// LoRA rank r of w.
    public var loraRank: Int = 2
    /// Step of the exact inner solve (gradient descent on g with the exact gradient); proxies use alpha·inner_step.
    public var innerStep: Double = 1.0
    /// Iteration cap of the exact inner solve (BFGS2 phase, then gradient-descent polish); 20000 takes ~10 s.
    public var innerIterations: Int = 20000
    /// Stop the exact inner solve when ‖∇_θ J‖ ≤ this (the residual is reported either way).
    public var innerTolerance: Double = 1e-3
    /// Monte-Carlo samples of the exact-vs-MC check.
    public var monteCarloSamples: Int = 4000
    public init() {}
    enum CodingKeys: String, CodingKey {
        case prompts, channels, layers, heads
        case answerVocab = "answer_vocab", answerLength = "answer_length", klWeight = "kl_weight"
        case loraRank = "lora_rank", innerStep = "inner_step", innerIterations = "inner_iterations"
        case innerTolerance = "inner_tolerance", monteCarloSamples = "monte_carlo_samples"
    }
}
