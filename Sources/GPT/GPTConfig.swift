import BridgeSupport
import Foundation

/// Shape of a GPT-2 model: vocabulary V, context T, channels C, layers L, heads NH.
///
/// The architecture is GPT-2's exactly (learned token + position embeddings, pre-LayerNorm blocks,
/// causal multi-head attention with a fused C→3C projection, GELU-tanh MLP of width 4C, final
/// LayerNorm, LM head tied to the token embedding, biases everywhere GPT-2 has them); only the sizes vary.
public struct GPTConfig: Codable, Sendable, Equatable {
    /// V: vocabulary size. 32 fits the character tokenizer of the arithmetic tasks.
    public var vocabSize: Int = 32
    /// Maximum sequence length T (rows of the position embedding). 128 holds a prompt plus its trace.
    public var contextLength: Int = 128
    /// C: residual stream width. 128 is the "small" preset.
    public var channels: Int = 128
    /// L: number of transformer blocks.
    public var layers: Int = 4
    /// NH: attention heads; C must be divisible by NH (head size C / NH).
    public var heads: Int = 4

    public init(vocabSize: Int = 32, contextLength: Int = 128, channels: Int = 128, layers: Int = 4, heads: Int = 4) {
        self.vocabSize = vocabSize; self.contextLength = contextLength; self.channels = channels
        self.layers = layers; self.heads = heads
    }

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", contextLength = "context_length", channels, layers, heads
    }

    /// Names accepted by `preset(_:)`, smallest first.
    public static var presetNames: [String] { GPTPreset.names }

    /// The preset of that name; an unknown name is an error naming the nearest.
    public static func preset(_ name: String) throws -> GPTConfig {
        guard let p = GPTPreset(rawValue: name) else {
            throw ConfigError.invalid(source: "GPTConfig.preset", path: "preset", line: nil,
                                      message: GPTPreset.unknownMessage(name), fix: "use one of \(presetNames.joined(separator: ", "))")
        }
        return p.config
    }

    /// Head size hs = C / NH.
    public var headSize: Int { channels / heads }

    /// Number of base parameters θ (tied head counted once).
    public var parameterCount: Int {
        let C = channels
        let perLayer = 2 * C + (3 * C * C + 3 * C) + (C * C + C) + 2 * C + (4 * C * C + 4 * C) + (4 * C * C + C)
        return vocabSize * C + contextLength * C + layers * perLayer + 2 * C
    }

    /// Throws a ConfigError naming the bad field when the shape is impossible.
    public func validate(source: String = "gpt") throws {
        func bad(_ path: String, _ message: String, _ fix: String) -> ConfigError {
            ConfigError.invalid(source: source, path: path, line: nil, message: message, fix: fix)
        }
        if vocabSize < 1 { throw bad("vocab_size", "must be >= 1, found \(vocabSize)", "set vocab_size to the tokenizer's size") }
        if contextLength < 1 { throw bad("context_length", "must be >= 1, found \(contextLength)", "use e.g. 128") }
        if layers < 1 { throw bad("layers", "must be >= 1, found \(layers)", "use e.g. 4") }
        if heads < 1 { throw bad("heads", "must be >= 1, found \(heads)", "use e.g. 4") }
        if channels < 1 || channels % heads != 0 {
            throw bad("channels", "must be a positive multiple of heads (\(heads)), found \(channels)",
                      "choose channels divisible by heads, e.g. \(max(1, channels / max(heads, 1)) * max(heads, 1))")
        }
    }
}

/// `model.preset`: the model sizes, smallest first.
public enum GPTPreset: String, ConfigChoice {
    case tiny, small, medium

    /// The sizes of the performance anchors (../shared/anchors/perf): tiny V32 T64 C64 L2 NH4,
    /// small V32 T128 C128 L4 NH4, medium V64 T256 C256 L6 NH8.
    public var config: GPTConfig {
        switch self {
        case .tiny: GPTConfig(vocabSize: 32, contextLength: 64, channels: 64, layers: 2, heads: 4)
        case .small: GPTConfig(vocabSize: 32, contextLength: 128, channels: 128, layers: 4, heads: 4)
        case .medium: GPTConfig(vocabSize: 64, contextLength: 256, channels: 256, layers: 6, heads: 8)
        }
    }
}
