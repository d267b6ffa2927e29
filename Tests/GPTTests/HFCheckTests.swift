import Foundation
import GPT
import Testing
import TensorCore

/// Opt-in (BRIDGE_HF_CHECK=1): our Hugging Face export, loaded by transformers' GPT2LMHeadModel, gives our
/// logits. Python with torch + transformers: $BRIDGE_HF_PYTHON (default python3). See docs/gpt.md.
@Suite("GPT vs Hugging Face transformers")
struct HFCheckTests {
    static let enabled = ProcessInfo.processInfo.environment["BRIDGE_HF_CHECK"] == "1"
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("hf_check.py")

    @Test("GPT2LMHeadModel on the export reproduces our logits within 1e-4 (LoRA merged)", .enabled(if: enabled))
    func transformersAgree() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpt-hf-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = GPTConfig(vocabSize: 32, contextLength: 64, channels: 64, layers: 2, heads: 4)
        let m = Fixture.model(config: config, lora: LoRAConfig(rank: 4, alpha: 8), scale: 0.1)
        try HFExport.write(model: m, to: dir)
        let tokens = Fixture.tokens(64, V: 32, seed: 5)
        let out = m.forward(tokens: tokens, targets: Array(tokens.dropFirst()) + [-1], B: 1, T: 64)
        let z = m.lastLogits()
        let rows = stride(from: 0, to: z.count, by: 32).map { i in "[" + z[i..<(i + 32)].map { "\($0)" }.joined(separator: ",") + "]" }
        let json = "{\"tokens\": [\(tokens.map(String.init).joined(separator: ","))], \"logprobs\": ["
            + out.logprobs.dropLast().map { "\($0)" }.joined(separator: ",") + "], \"logits\": [" + rows.joined(separator: ",") + "]}"
        let scoreFile = dir.appendingPathComponent("score.json")
        try Data(json.utf8).write(to: scoreFile)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [ProcessInfo.processInfo.environment["BRIDGE_HF_PYTHON"] ?? "python3", Self.script.path, dir.path, scoreFile.path, "--tol", "1e-4"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        print("hf_check: \(text)")
        #expect(p.terminationStatus == 0, "hf_check.py: \(text)")
    }
}
