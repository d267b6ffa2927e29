import BridgeSupport
import Foundation

/// Export to the layout Hugging Face transformers' GPT2LMHeadModel loads: config.json plus
/// model.safetensors with its tensor names, Conv1D weights stored (in, out) (the transpose of our
/// (out, in)), LoRA merged into the weights, LM head tied to transformer.wte (so not stored), and
/// metadata {"format": "pt"} (transformers refuses safetensors files without it).
public enum HFExport {
    /// The GPT-2 tensors of a model, adapters folded in (the model itself is left unchanged).
    public static func tensors(of model: GPTModel) -> [SafeTensors.Tensor] {
        let m = model.copy()
        m.merge()
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

    /// GPT2Config JSON for a model shape (no dropout, gelu_new = GELU tanh, ε = 1e-5, tied head).
    public static func configJSON(_ c: GPTConfig) -> String {
        let fields: [(String, String)] = [
            ("activation_function", "\"gelu_new\""), ("architectures", "[\"GPT2LMHeadModel\"]"),
            ("attn_pdrop", "0.0"), ("bos_token_id", "null"), ("embd_pdrop", "0.0"), ("eos_token_id", "null"),
            ("initializer_range", "0.02"),
            ("layer_norm_epsilon", "1e-05"), ("model_type", "\"gpt2\""), ("n_ctx", "\(c.contextLength)"),
            ("n_embd", "\(c.channels)"), ("n_head", "\(c.heads)"), ("n_inner", "null"), ("n_layer", "\(c.layers)"),
            ("n_positions", "\(c.contextLength)"), ("resid_pdrop", "0.0"), ("scale_attn_weights", "true"),
            ("tie_word_embeddings", "true"), ("torch_dtype", "\"float32\""), ("vocab_size", "\(c.vocabSize)"),
        ]
        return "{\n" + fields.map { "  \"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "\n}\n"
    }

    /// Writes DIR/config.json and DIR/model.safetensors (both atomically).
    public static func write(model: GPTModel, to dir: URL) throws {
        try SafeTensors.write(tensors(of: model), metadata: ["format": "pt"], to: dir.appendingPathComponent("model.safetensors"))
        try AtomicFile.write(configJSON(model.config), to: dir.appendingPathComponent("config.json"))
    }
}
