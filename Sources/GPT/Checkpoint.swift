import BridgeSupport
import TensorCore
import Foundation

/// A model checkpoint in one safetensors file: θ ("theta.<name>"), w ("w.<name>"), optional extra
/// tensors such as optimizer moments ("extra.<name>"), and string metadata. Reserved metadata keys:
/// "format" (`Checkpoint.format`), "gpt_config" and "lora_config" (resolved configs, canonical JSON),
/// "lora_merged" ("true"/"false"). Everything else in `metadata` (RNG state JSON, step, run config) is
/// the caller's and round-trips unchanged.
public struct Checkpoint {
    public static let format = "bridge-gpt-checkpoint/1"
    public static let reservedKeys: Set<String> = ["format", "gpt_config", "lora_config", "lora_merged"]

    public var config: GPTConfig
    public var lora: LoRAConfig
    public var theta: ParameterSet
    public var w: ParameterSet
    public var isMerged: Bool
    /// Extra named tensors (optimizer m/v, ...), written under "extra.<name>".
    public var extra: [String: (shape: [Int], data: [Float])]
    /// Caller metadata (string map); must not use the reserved keys.
    public var metadata: [String: String]

    /// Snapshot of a model's θ, w and merge state.
    public init(model: GPTModel, extra: [String: (shape: [Int], data: [Float])] = [:], metadata: [String: String] = [:]) {
        config = model.config; lora = model.lora; theta = model.theta; w = model.w; isMerged = model.isMerged
        self.extra = extra; self.metadata = metadata
    }

    /// A new model holding this checkpoint's weights (gradients zero).
    public func makeModel() -> GPTModel {
        let m = GPTModel(zeroedConfig: config, lora: lora)
        m.theta = theta; m.w = w; m.isMerged = isMerged
        return m
    }

    /// Copies the weights into an existing model of the same configuration.
    public func load(into model: GPTModel, source: String = "checkpoint") throws {
        guard model.config == config else {
            throw ConfigError.invalid(source: source, path: "gpt_config", line: nil,
                                      message: "checkpoint has \(Checkpoint.json(config)) but the model has \(Checkpoint.json(model.config))",
                                      fix: "build the model from the checkpoint's config (Checkpoint.makeModel()) or use a matching checkpoint")
        }
        guard model.lora == lora else {
            throw ConfigError.invalid(source: source, path: "lora_config", line: nil,
                                      message: "checkpoint has \(Checkpoint.json(lora)) but the model has \(Checkpoint.json(model.lora))",
                                      fix: "use the checkpoint's LoRA settings or a matching checkpoint")
        }
        model.theta = theta; model.w = w; model.isMerged = isMerged
    }

    static func json<T: Encodable>(_ v: T) -> String { (try? ConfigValue.encode(v).canonicalJSON) ?? "\(v)" }

    /// Writes atomically.
    public func write(to url: URL) throws {
        if let k = metadata.keys.first(where: { Checkpoint.reservedKeys.contains($0) }) {
            throw ConfigError.invalid(source: url.path, path: "__metadata__.\(k)", line: nil, message: "metadata key '\(k)' is reserved",
                                      fix: "use another key name")
        }
        var tensors: [SafeTensors.Tensor] = []
        for s in theta.tensors { tensors.append(("theta." + s.name, s.shape, Array(theta.storage[s.offset..<(s.offset + s.count)]))) }
        for s in w.tensors { tensors.append(("w." + s.name, s.shape, Array(w.storage[s.offset..<(s.offset + s.count)]))) }
        for (name, t) in extra { tensors.append(("extra." + name, t.shape, t.data)) }
        var meta = metadata
        meta["format"] = Checkpoint.format
        meta["gpt_config"] = Checkpoint.json(config)
        meta["lora_config"] = Checkpoint.json(lora)
        meta["lora_merged"] = isMerged ? "true" : "false"
        try SafeTensors.write(tensors, metadata: meta, to: url)
    }

    /// Reads and validates a checkpoint: every tensor θ and w need must be present with the shape the
    /// stored config implies; the error names the file, the tensor, expected vs found, and the fix.
    public static func read(_ url: URL) throws -> Checkpoint {
        let (tensors, meta) = try SafeTensors.read(url)
        let src = url.path
        guard meta["format"] == format, let gptText = meta["gpt_config"], let loraText = meta["lora_config"] else {
            throw ConfigError.invalid(source: src, path: "__metadata__", line: nil,
                                      message: "not a bridge GPT checkpoint (metadata format is '\(meta["format"] ?? "missing")', expected '\(format)' with gpt_config and lora_config)",
                                      fix: "create checkpoints with `bridge init` or Checkpoint.write; Hugging Face exports cannot be loaded back")
        }
        let config = try StrictConfig.load(GPTConfig.self, defaults: GPTConfig(), yamlText: gptText, source: src + " (gpt_config)")
        let lora = try StrictConfig.load(LoRAConfig.self, defaults: LoRAConfig(), yamlText: loraText, source: src + " (lora_config)")
        try config.validate(source: src + " (gpt_config)")
        try lora.validate(source: src + " (lora_config)")
        var theta = ParameterSet(layout: GPTModel.thetaLayout(config))
        var w = ParameterSet(layout: GPTModel.loraLayout(config: config, lora: lora))
        var problems: [String] = []
        func fill(_ set: inout ParameterSet, prefix: String) {
            for s in set.tensors {
                let key = prefix + s.name
                guard let t = tensors[key] else { problems.append("tensor '\(key)' is missing (expected shape \(s.shape))"); continue }
                guard t.shape == s.shape else { problems.append("tensor '\(key)' has shape \(t.shape), expected \(s.shape)"); continue }
                set.storage.replaceSubrange(s.offset..<(s.offset + s.count), with: t.data)
            }
        }
        fill(&theta, prefix: "theta.")
        fill(&w, prefix: "w.")
        let known = Set(theta.tensors.map { "theta." + $0.name } + w.tensors.map { "w." + $0.name })
        for name in tensors.keys.sorted() where !known.contains(name) && !name.hasPrefix("extra.") {
            problems.append("unexpected tensor '\(name)' (shape \(tensors[name]!.shape))")
        }
        // A non-finite weight makes every later number NaN (scores print "nan", accuracy reads 0, exports
        // carry it on): refuse the file on load, naming the tensor, whatever command reads it.
        for name in tensors.keys.sorted() {
            let t = tensors[name]!
            if let i = t.data.firstIndex(where: { !$0.isFinite }) {
                let count = t.data.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
                throw ConfigError.invalid(source: src, path: name, line: nil,
                                          message: "tensor holds \(count) non-finite value(s) (first at index \(i): \(t.data[i]))",
                                          fix: "the run that wrote it diverged or the file was damaged; use an earlier checkpoint or retrain")
            }
        }
        if !problems.isEmpty {
            throw ConfigError.invalid(source: src, path: "tensors", line: nil,
                                      message: "checkpoint does not match its config \(json(config)) / LoRA \(json(lora)): " + problems.joined(separator: "; "),
                                      fix: "the file was written by a different model shape or edited; re-create it with `bridge init` or use the config it was written with")
        }
        var extra: [String: (shape: [Int], data: [Float])] = [:]
        for (name, t) in tensors where name.hasPrefix("extra.") { extra[String(name.dropFirst(6))] = t }
        var user = meta
        for k in reservedKeys { user[k] = nil }
        return Checkpoint(config: config, lora: lora, theta: theta, w: w, isMerged: meta["lora_merged"] == "true",
                          extra: extra, metadata: user)
    }

    private init(config: GPTConfig, lora: LoRAConfig, theta: ParameterSet, w: ParameterSet, isMerged: Bool,
                 extra: [String: (shape: [Int], data: [Float])], metadata: [String: String]) {
        self.config = config; self.lora = lora; self.theta = theta; self.w = w; self.isMerged = isMerged
        self.extra = extra; self.metadata = metadata
    }
}
