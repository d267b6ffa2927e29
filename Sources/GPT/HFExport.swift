import BridgeSupport
import Foundation

/// Export to the layout Hugging Face transformers' GPT2LMHeadModel loads: config.json plus
/// model.safetensors with its tensor names, Conv1D weights stored (in, out) (the transpose of our
/// (out, in)), LoRA merged into the weights, LM head tied to transformer.wte (so not stored), and
/// metadata {"format": "pt"} (transformers refuses safetensors files without it).
public enum HFExport {
    /// The GPT-2 tensors of a model, adapters folded in (`merged`, the default) or left out (θ alone: the
    /// base a PEFT adapter applies to). The model itself is left unchanged.
    public static func tensors(of model: GPTModel, merged: Bool = true) -> [SafeTensors.Tensor] {
        let m = model.copy()
        if merged { m.merge() } else { precondition(!m.isMerged, "θ alone needs a model whose adapters are not merged") }
        let c = m.config, th = m.theta
        func v(_ n: String) -> [Float] { th.values(n)! }
        func transposed(_ n: String) -> (shape: [Int], data: [Float]) {
            let s = th.tensor(n)!
            let (rows, cols) = (s.shape[0], s.shape[1]) // ours (out, in)
            var out = [Float](repeating: 0, count: s.count)
            for r in 0..<rows { for k in 0..<cols { out[k * rows + r] = th.storage[s.offset + r * cols + k] } }
            return ([cols, rows], out)
        }
        let C = c.channels
        var t: [SafeTensors.Tensor] = [("transformer.wte.weight", [c.vocabSize, C], v("wte")),
                                       ("transformer.wpe.weight", [c.contextLength, C], v("wpe"))]
        for l in 0..<c.layers {
            let p = "h.\(l).", h = "transformer.h.\(l)."
            for (ours, theirs) in [("qkvw", "attn.c_attn"), ("attprojw", "attn.c_proj"), ("fcw", "mlp.c_fc"), ("fcprojw", "mlp.c_proj")] {
                let w = transposed(p + ours)
                t.append((h + theirs + ".weight", w.shape, w.data))
            }
            for (ours, theirs) in [("qkvb", "attn.c_attn.bias"), ("attprojb", "attn.c_proj.bias"), ("fcb", "mlp.c_fc.bias"),
                                   ("fcprojb", "mlp.c_proj.bias"), ("ln1w", "ln_1.weight"), ("ln1b", "ln_1.bias"),
                                   ("ln2w", "ln_2.weight"), ("ln2b", "ln_2.bias")] {
                t.append((h + theirs, th.tensor(p + ours)!.shape, v(p + ours)))
            }
        }
        t.append(("transformer.ln_f.weight", [C], v("lnfw")))
        t.append(("transformer.ln_f.bias", [C], v("lnfb")))
        return t
    }

    /// Token ids of the specials, for config.json and generation_config.json (the GPT module does not
    /// know the tokenizer; the CLI passes the tasks tokenizer's ids).
    public struct SpecialTokens: Sendable {
        public var bos: Int, eos: Int, pad: Int
        public init(bos: Int, eos: Int, pad: Int) { self.bos = bos; self.eos = eos; self.pad = pad }
    }

    /// GPT2Config JSON for a model shape (no dropout, gelu_new = GELU tanh, ε = 1e-5, tied head); the
    /// special token ids when given (`pipeline("text-generation")` needs bos/eos).
    public static func configJSON(_ c: GPTConfig, specials: SpecialTokens? = nil) -> String {
        let id = { (x: Int?) in x.map(String.init) ?? "null" }
        var fields: [(String, String)] = [
            ("activation_function", "\"gelu_new\""), ("architectures", "[\"GPT2LMHeadModel\"]"),
            ("attn_pdrop", "0.0"), ("bos_token_id", id(specials?.bos)), ("embd_pdrop", "0.0"), ("eos_token_id", id(specials?.eos)),
            ("initializer_range", "0.02"),
            ("layer_norm_epsilon", "1e-05"), ("model_type", "\"gpt2\""), ("n_ctx", "\(c.contextLength)"),
            ("n_embd", "\(c.channels)"), ("n_head", "\(c.heads)"), ("n_inner", "null"), ("n_layer", "\(c.layers)"),
            ("n_positions", "\(c.contextLength)"), ("resid_pdrop", "0.0"), ("scale_attn_weights", "true"),
            ("tie_word_embeddings", "true"), ("torch_dtype", "\"float32\""), ("vocab_size", "\(c.vocabSize)"),
        ]
        if let specials { fields.append(("pad_token_id", "\(specials.pad)")); fields.sort { $0.0 < $1.0 } }
        return "{\n" + fields.map { "  \"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "\n}\n"
    }

    /// Writes DIR/config.json and DIR/model.safetensors (both atomically): adapters merged, or θ alone.
    public static func write(model: GPTModel, to dir: URL, merged: Bool = true, specials: SpecialTokens? = nil) throws {
        try SafeTensors.write(tensors(of: model, merged: merged), metadata: ["format": "pt"], to: dir.appendingPathComponent("model.safetensors"))
        try AtomicFile.write(configJSON(model.config, specials: specials), to: dir.appendingPathComponent("config.json"))
    }

    /// generation_config.json: greedy decoding that stops at EOS, at most the context length.
    public static func generationConfigJSON(_ c: GPTConfig, specials: SpecialTokens) -> String {
        "{\n  \"bos_token_id\": \(specials.bos),\n  \"do_sample\": false,\n  \"eos_token_id\": \(specials.eos),\n  \"max_length\": \(c.contextLength),\n  \"pad_token_id\": \(specials.pad)\n}\n"
    }

    /// Hugging Face GPT-2 module of each LoRA target (transformers' Conv1D layers).
    static func hfModule(_ t: LoRATarget) -> String {
        switch t { case .qkv: "attn.c_attn"; case .attnProj: "attn.c_proj"; case .fc: "mlp.c_fc"; case .mlpProj: "mlp.c_proj" }
    }

    /// The adapters w as a PEFT LoRA adapter: our A (r, in) and B (out, r) are PEFT's lora_A.weight and
    /// lora_B.weight as they are (both compute y = W x + (α/r)·B A x), named after the GPT-2 modules.
    /// θ and w stay apart, as BRIDGE keeps them: PeftModel over the θ-only export equals the merged model.
    public static func peftTensors(of model: GPTModel) -> [SafeTensors.Tensor] {
        var t: [SafeTensors.Tensor] = []
        for l in 0..<model.config.layers {
            for target in LoRATarget.allCases where model.lora.targets.contains(target) {
                let p = "base_model.model.transformer.h.\(l).\(hfModule(target))."
                for (ours, theirs) in [("lora_a", "lora_A"), ("lora_b", "lora_B")] {
                    let name = "h.\(l).\(target.name).\(ours)"
                    t.append((p + theirs + ".weight", model.w.tensor(name)!.shape, model.w.values(name)!))
                }
            }
        }
        return t
    }

    /// adapter_config.json for `peftTensors` (fan_in_fan_out: GPT-2's Conv1D stores weights (in, out)).
    public static func peftConfigJSON(_ lora: LoRAConfig, baseModel: String) -> String {
        let targets = LoRATarget.allCases.filter { lora.targets.contains($0) }.map { Format.jsonString(hfModule($0)) }
        let fields: [(String, String)] = [
            ("base_model_name_or_path", Format.jsonString(baseModel)), ("bias", "\"none\""), ("fan_in_fan_out", "true"),
            ("inference_mode", "true"), ("init_lora_weights", "true"), ("lora_alpha", Format.number(lora.alpha)),
            ("lora_dropout", "0.0"), ("modules_to_save", "null"), ("peft_type", "\"LORA\""), ("r", "\(lora.rank)"),
            ("target_modules", "[" + targets.joined(separator: ", ") + "]"), ("task_type", "\"CAUSAL_LM\""), ("use_rslora", "false"),
        ]
        return "{\n" + fields.map { "  \"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "\n}\n"
    }

    /// Writes DIR/adapter_config.json and DIR/adapter_model.safetensors.
    public static func writePEFT(model: GPTModel, to dir: URL, baseModel: String) throws {
        try SafeTensors.write(peftTensors(of: model), metadata: ["format": "pt"], to: dir.appendingPathComponent("adapter_model.safetensors"))
        try AtomicFile.write(peftConfigJSON(model.lora, baseModel: baseModel), to: dir.appendingPathComponent("adapter_config.json"))
    }
}
