import BridgeSupport
import Foundation
import TensorCore

/// Import from Hugging Face GPT-2's layout (config.json + model.safetensors, as `HFExport` writes or as
/// transformers' GPT2LMHeadModel saves): the inverse of `HFExport.tensors`, Conv1D weights transposed back
/// to (out, in). Only what this project's GPT computes is accepted (GELU tanh, ε = 1e-5, tied head); the
/// result has no LoRA adapters (training adds fresh ones).
public enum HFImport {
    public struct ImportError: Error, CustomStringConvertible { public let description: String }

    /// The model shape of DIR/config.json, refused when the architecture is not the one we compute.
    public static func config(from dir: URL) throws -> GPTConfig {
        let url = dir.appendingPathComponent("config.json")
        let text = try AtomicFile.readText(url, what: "config.json")
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ImportError(description: "\(url.path): not a JSON object. Fix: give the folder of a Hugging Face GPT-2 export")
        }
        func int(_ key: String, _ alternatives: String...) throws -> Int {
            for k in [key] + alternatives { if let v = json[k] as? Int { return v } }
            throw ImportError(description: "\(url.path): '\(key)' is missing or not an integer. Fix: a GPT-2 config.json has n_embd, n_layer, n_head, n_positions and vocab_size")
        }
        if let model = json["model_type"] as? String, model != "gpt2" {
            throw ImportError(description: "\(url.path): model_type '\(model)' is not gpt2. Fix: import a GPT-2-layout checkpoint")
        }
        if let act = json["activation_function"] as? String, act != "gelu_new" {
            throw ImportError(description: "\(url.path): activation_function '\(act)'; this project computes gelu_new (GELU, tanh form). Fix: import a model trained with gelu_new")
        }
        if let eps = json["layer_norm_epsilon"] as? Double, abs(eps - 1e-5) > 1e-12 {
            throw ImportError(description: "\(url.path): layer_norm_epsilon \(eps); this project uses 1e-5. Fix: import a model with ε = 1e-5")
        }
        if let tied = json["tie_word_embeddings"] as? Bool, !tied {
            throw ImportError(description: "\(url.path): the LM head is not tied to the token embedding, as this project's GPT requires. Fix: import a tied GPT-2")
        }
        let c = GPTConfig(vocabSize: try int("vocab_size"), contextLength: try int("n_positions", "n_ctx"),
                          channels: try int("n_embd"), layers: try int("n_layer"), heads: try int("n_head"))
        guard c.heads > 0, c.channels % c.heads == 0 else {
            throw ImportError(description: "\(url.path): n_embd \(c.channels) is not a multiple of n_head \(c.heads)")
        }
        return c
    }

    /// A model (no LoRA) with θ read from DIR/model.safetensors; every tensor the GPT needs must be there
    /// with its shape ("transformer." prefix optional; attention-mask buffers and a tied lm_head ignored).
    public static func model(from dir: URL) throws -> GPTModel {
        let c = try config(from: dir)
        let url = dir.appendingPathComponent("model.safetensors")
        let file = try SafeTensors.read(url).tensors
        let model = GPTModel(config: c, lora: .none, rng: RNG(seed: 0))
        let th = model.theta
        var storage = th.storage
        func find(_ name: String) throws -> (shape: [Int], data: [Float]) {
            if let t = file["transformer." + name] ?? file[name] { return t }
            throw ImportError(description: "\(url.path): tensor transformer.\(name) is missing. Fix: give a complete GPT-2 export of \(c)")
        }
        func set(_ ours: String, from theirs: String, transpose: Bool = false) throws {
            let spec = th.tensor(ours)!
            let t = try find(theirs)
            let expected = transpose ? [spec.shape[1], spec.shape[0]] : spec.shape
            guard t.shape == expected else {
                throw ImportError(description: "\(url.path): transformer.\(theirs) has shape \(t.shape), expected \(expected) for \(c)")
            }
            let base = spec.offset
            if transpose {
                let rows: Int = spec.shape[0], cols: Int = spec.shape[1] // ours (out, in); theirs (in, out)
                for r in 0..<rows {
                    for k in 0..<cols {
                        let value: Float = t.data[k * rows + r]
                        storage[base + r * cols + k] = value
                    }
                }
            } else {
                for i in 0..<spec.count { storage[base + i] = t.data[i] }
            }
        }
        try set("wte", from: "wte.weight")
        try set("wpe", from: "wpe.weight")
        for l in 0..<c.layers {
            let p = "h.\(l).", h = "h.\(l)."
            for (ours, theirs) in [("qkvw", "attn.c_attn"), ("attprojw", "attn.c_proj"), ("fcw", "mlp.c_fc"), ("fcprojw", "mlp.c_proj")] {
                try set(p + ours, from: h + theirs + ".weight", transpose: true)
            }
            for (ours, theirs) in [("qkvb", "attn.c_attn.bias"), ("attprojb", "attn.c_proj.bias"), ("fcb", "mlp.c_fc.bias"),
                                   ("fcprojb", "mlp.c_proj.bias"), ("ln1w", "ln_1.weight"), ("ln1b", "ln_1.bias"),
                                   ("ln2w", "ln_2.weight"), ("ln2b", "ln_2.bias")] {
                try set(p + ours, from: h + theirs)
            }
        }
        try set("lnfw", from: "ln_f.weight")
        try set("lnfb", from: "ln_f.bias")
        model.theta.storage = storage
        if let head = file["lm_head.weight"], head.data != model.theta.values("wte")! {
            throw ImportError(description: "\(url.path): lm_head.weight differs from the token embedding; this project's GPT ties them. Fix: import a tied GPT-2")
        }
        guard storage.allSatisfy(\.isFinite) else {
            throw ImportError(description: "\(url.path): holds a non-finite weight. Fix: re-export the model")
        }
        return model
    }
}
