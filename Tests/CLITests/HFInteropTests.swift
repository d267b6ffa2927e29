import BridgeSupport
import Foundation
import Testing

/// `bridge export-hf` against transformers and peft themselves (BRIDGE_LONG_TESTS=1; the venv needs the
/// PyTorch CPU wheel, see scripts/hf-check.sh): AutoTokenizer encodes and decodes a trace as bridge does,
/// the merged model and PeftModel(θ + adapter) both give `bridge score`'s logits, the adapter is not a
/// no-op, and pipeline("text-generation") continues a prompt.
@Suite("Hugging Face interop")
struct HFInteropTests {
    @Test("export-hf loads in transformers and peft with bridge score's logits (BRIDGE_LONG_TESTS=1)",
          .enabled(if: ProcessInfo.processInfo.environment["BRIDGE_LONG_TESTS"] == "1"))
    func transformersAndPeft() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = try makeTempDir("hf-interop")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Three SFT updates from a random base with a large adapter rate: θ and w both away from their start.
        let t = try runBridge(["train", "--method", "sft", "--out", "run", "model.preset=tiny", "run.base=random", "run.steps=3",
                               "run.eval_every=0", "eval.suite.benchmarks.names=[b1_indist]", "eval.suite.benchmarks.size=2",
                               "eval.heldout_size=2", "eval.probe_size=2", "eval.validation_size=2", "optim_w.lr=0.05"], in: dir)
        #expect(t.status == 0, "\(t.err)")
        let e = try runBridge(["export-hf", "--checkpoint", "run/checkpoint.safetensors", "--out", "hf"], in: dir)
        #expect(e.status == 0, "\(e.err)")
        let text = "A:47+56\n#103"
        let s = try runBridge(["score", "--checkpoint", "run/checkpoint.safetensors", "--text", text, "--logits"], in: dir)
        #expect(s.status == 0, "\(s.err)")
        try s.out.write(to: dir.appendingPathComponent("score.json"), atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [repo.appendingPathComponent("scripts/hf-check.sh").path, dir.appendingPathComponent("hf").path,
                       dir.appendingPathComponent("score.json").path, text]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let outText = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "hf-check exit \(p.terminationStatus): \(outText)\n\(errText.suffix(2000))")
        #expect(outText.contains("max_abs_peft_vs_bridge"), "\(outText)")
    }
}
