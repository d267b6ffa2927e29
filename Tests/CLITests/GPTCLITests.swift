import Foundation
import Testing

/// bridge init / score / export-hf / bench model: outputs, exit codes and error text.
@Suite("GPT CLI")
struct GPTCLITests {
    static func run(_ args: [String], in dir: URL) throws -> (status: Int32, out: String, err: String) {
        try runBridge(args, in: dir)
    }

    @Test("init writes a checkpoint; score prints n−1 log-probs whose mean is −mean_loss; export-hf writes HF files")
    func initScoreExport() throws {
        let dir = try makeTempDir("gpt-init")
        defer { try? FileManager.default.removeItem(at: dir) }
        let i = try Self.run(["init", "--preset", "tiny", "--seed", "3", "--out", "m.safetensors", "--lora-rank", "2", "--lora-targets", "qkv,fc"], in: dir)
        #expect(i.status == 0, "\(i.err)")
        let s = try Self.run(["score", "--checkpoint", "m.safetensors", "--tokens", "3,17,5,9,1"], in: dir)
        #expect(s.status == 0, "\(s.err)")
        let json = try JSONSerialization.jsonObject(with: Data(s.out.utf8)) as! [String: Any]
        let lp = (json["logprobs"] as! [NSNumber]).map(\.doubleValue)
        let loss = (json["mean_loss"] as! NSNumber).doubleValue
        #expect(lp.count == 4 && (json["tokens"] as! [NSNumber]).count == 5)
        #expect(abs(-lp.reduce(0, +) / 4 - loss) < 1e-6, "mean_loss \(loss) vs logprobs \(lp)")
        let t = try Self.run(["score", "--checkpoint", "m.safetensors", "--text", "A:1+2"], in: dir)
        #expect(t.status == 0 && t.out.contains("\"tokens\": [1, 26, 23, 5, 14, 6]"), "\(t.out) \(t.err)")
        let e = try Self.run(["export-hf", "--checkpoint", "m.safetensors", "--out", "hf"], in: dir)
        #expect(e.status == 0, "\(e.err)")
        let config = try String(contentsOf: dir.appendingPathComponent("hf/config.json"), encoding: .utf8)
        #expect(config.contains("\"activation_function\": \"gelu_new\"") && config.contains("\"n_embd\": 64"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("hf/model.safetensors").path))
        // Tokenizer and generation config; LoRA: θ alone in base/ and the adapters as a PEFT adapter.
        for f in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json",
                  "base/config.json", "base/model.safetensors", "base/tokenizer.json", "adapter/adapter_model.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("hf/" + f).path), "hf/\(f) missing")
        }
        #expect(config.contains("\"bos_token_id\": 1") && config.contains("\"eos_token_id\": 2") && config.contains("\"pad_token_id\": 0"))
        let adapter = try String(contentsOf: dir.appendingPathComponent("hf/adapter/adapter_config.json"), encoding: .utf8)
        #expect(adapter.contains("\"r\": 2") && adapter.contains("\"target_modules\": [\"attn.c_attn\", \"mlp.c_fc\"]") && adapter.contains("\"fan_in_fan_out\": true"))
        let tokenizer = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("hf/tokenizer.json"))) as! [String: Any]
        let vocab = (tokenizer["model"] as! [String: Any])["vocab"] as! [String: Int]
        #expect(vocab.count == 32 && vocab["<bos>"] == 1 && vocab["#"] == 3 && vocab["\n"] == 25 && vocab["A"] == 26)
    }

    @Test("bad input exits non-zero with a fix-it message")
    func errors() throws {
        let dir = try makeTempDir("gpt-errors")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Self.run(["init", "--preset", "huge", "--out", "x.safetensors"], in: dir)
        #expect(a.status != 0 && a.err.contains("unknown preset 'huge'") && a.err.contains("tiny, small, medium"), "\(a.err)")
        let b = try Self.run(["score", "--checkpoint", "missing.safetensors", "--tokens", "1,2"], in: dir)
        #expect(b.status != 0 && b.err.contains("missing.safetensors") && b.err.contains("file not found"), "\(b.err)")
        _ = try Self.run(["init", "--preset", "tiny", "--out", "m.safetensors"], in: dir)
        let c = try Self.run(["score", "--checkpoint", "m.safetensors", "--tokens", "1,99"], in: dir)
        #expect(c.status != 0 && c.err.contains("token id 99 is outside 0..<32"), "\(c.err)")
        let d = try Self.run(["init", "--preset", "tiny", "--out", "y.safetensors", "--lora-targets", "qkv,mlp"], in: dir)
        #expect(d.status != 0 && d.err.contains("'mlp' is not one of qkv, attn_proj, fc, mlp_proj"), "\(d.err)")
    }

    @Test("bench model --quick writes the CSV with throughput and ratio columns")
    func benchModel() throws {
        let dir = try makeTempDir("gpt-bench")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Self.run(["bench", "model", "--quick", "--sizes", "tiny", "--modes", "sample", "--min-seconds", "0.01", "--out", "b.csv"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        let text = try String(contentsOf: dir.appendingPathComponent("b.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.first?.hasPrefix("size,mode,batch,seq_len,threads,params,flop_per_token,tokens_per_s,gflops,sgemm_gflops,ratio_sgemm") == true)
        #expect(lines.count == 2 && lines[1].hasPrefix("tiny,sample,64,"), "\(text)")
    }
}

/// `bridge import-hf` is the inverse of `export-hf`: the round trip scores the same tokens to the same
/// bytes; an architecture this project does not compute is refused with the reason.
@Suite struct ImportHFCLITests {
    @Test func exportThenImportScoresIdentically() throws {
        let dir = try makeTempDir("import-hf")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try runBridge(["init", "--preset", "tiny", "--out", "m.safetensors"], in: dir).status == 0)
        #expect(try runBridge(["export-hf", "--checkpoint", "m.safetensors", "--out", "hf"], in: dir).status == 0)
        let imported = try runBridge(["import-hf", "--from", "hf", "--out", "back.safetensors"], in: dir)
        #expect(imported.status == 0, "\(imported.err)")
        let a = try runBridge(["score", "--checkpoint", "m.safetensors", "--tokens", "1,5,6,7,3,9"], in: dir)
        let b = try runBridge(["score", "--checkpoint", "back.safetensors", "--tokens", "1,5,6,7,3,9"], in: dir)
        #expect(a.status == 0 && !a.out.isEmpty && a.out == b.out, "\(a.out)\n\(b.out)")

        let config = dir.appendingPathComponent("hf/config.json")
        let text = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "\"gelu_new\"", with: "\"relu\"")
        try text.write(to: config, atomically: true, encoding: .utf8)
        let refused = try runBridge(["import-hf", "--from", "hf", "--out", "relu.safetensors"], in: dir)
        #expect(refused.status != 0 && refused.err.contains("activation_function 'relu'"), "\(refused.err)")
    }
}
