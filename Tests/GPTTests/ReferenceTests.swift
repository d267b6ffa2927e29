import Foundation
import GPT
import Testing
import TensorCore

/// Log-probs against an independent float64 numpy implementation (reference_gpt.py next to this file)
/// that reads our safetensors file itself. Runs when python3 with numpy is installed.
@Suite("GPT vs numpy reference")
struct ReferenceTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("reference_gpt.py")

    static func run(_ args: [String]) -> (status: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return (-1, "") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static let numpyAvailable = run(["-c", "import numpy"]).status == 0

    @Test("numpy recomputes our log-probs within 1e-4 (LoRA active, several sequences)", .enabled(if: numpyAvailable))
    func numpyAgrees() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpt-ref-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = GPTConfig(vocabSize: 19, contextLength: 160, channels: 16, layers: 2, heads: 4)
        let m = Fixture.model(config: config, lora: LoRAConfig(rank: 3, alpha: 6, targets: [.qkv, .attnProj, .mlpProj]), scale: 0.2)
        let ckpt = dir.appendingPathComponent("m.safetensors")
        try Checkpoint(model: m).write(to: ckpt)
        // 150 tokens: attention runs in three causal row blocks.
        let seqs = [Fixture.tokens(150, V: 19, seed: 1), Fixture.tokens(9, V: 19, seed: 2), Fixture.tokens(2, V: 19, seed: 3)]
        let tokFile = dir.appendingPathComponent("tokens.json")
        try Data(("{\"tokens\": [" + seqs.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }.joined(separator: ",") + "]}").utf8).write(to: tokFile)
        let (status, out) = Self.run([Self.script.path, ckpt.path, tokFile.path])
        try #require(status == 0, "reference_gpt.py failed: \(out)")
        let json = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
        let ref = (json["logprobs"] as! [[NSNumber]]).map { $0.map(\.doubleValue) }
        var worst = (diff: 0.0, where: "")
        for (i, s) in seqs.enumerated() {
            let T = s.count
            let out = m.forward(tokens: s, targets: Array(s.dropFirst()) + [-1], B: 1, T: T)
            #expect(ref[i].count == T - 1)
            for t in 0..<(T - 1) {
                let d = abs(Double(out.logprobs[t]) - ref[i][t])
                if d > worst.diff { worst = (d, "sequence \(i) position \(t): ours \(out.logprobs[t]) numpy \(ref[i][t])") }
            }
        }
        #expect(worst.diff <= 1e-4, "max |Δ logprob| = \(worst.diff) at \(worst.where)")
    }
}
