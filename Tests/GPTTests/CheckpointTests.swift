import Foundation
import GPT
import Testing
import TensorCore

/// safetensors and checkpoint files: bitwise round trip, format details, errors that say what differs.
@Suite("GPT checkpoints")
struct CheckpointTests {
    static func tempDir() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpt-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("checkpoint round trip is bitwise (θ, w, extra tensors, metadata) and re-writing gives the same bytes")
    func roundTrip() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = Fixture.model()
        let extra: [String: (shape: [Int], data: [Float])] = ["adam.m.theta": ([m.theta.count], Fixture.randomVector(m.theta.count, seed: 9))]
        let url = dir.appendingPathComponent("a.safetensors")
        try Checkpoint(model: m, extra: extra, metadata: ["step": "12", "rng": "{\"key\":\"ab\"}"]).write(to: url)
        let back = try Checkpoint.read(url)
        #expect(back.config == m.config && back.lora == m.lora)
        #expect(back.theta.storage.map(\.bitPattern) == m.theta.storage.map(\.bitPattern))
        #expect(back.w.storage.map(\.bitPattern) == m.w.storage.map(\.bitPattern))
        #expect(back.extra["adam.m.theta"]?.data == extra["adam.m.theta"]!.data)
        #expect(back.metadata == ["step": "12", "rng": "{\"key\":\"ab\"}"])
        let url2 = dir.appendingPathComponent("b.safetensors")
        try back.write(to: url2)
        #expect(try Data(contentsOf: url) == Data(contentsOf: url2))
        let model2 = back.makeModel()
        let toks = Fixture.tokens(14, V: 11, seed: 1)
        #expect(model2.forward(tokens: toks, targets: toks, B: 2, T: 7).logprobs == m.forward(tokens: toks, targets: toks, B: 2, T: 7).logprobs)
    }

    @Test("safetensors header: 8-byte LE length, multiple of 8, keys sorted, __metadata__ string map")
    func headerFormat() throws {
        let data = try SafeTensors.encode([("zeta", [2], [1, 2]), ("alpha", [1, 3], [3, 4, 5])], metadata: ["k": "v"])
        let n = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        #expect(n % 8 == 0)
        let header = String(decoding: data.subdata(in: 8..<(8 + n)), as: UTF8.self)
        #expect(header.hasPrefix("{\"__metadata__\":{\"k\":\"v\"},\"alpha\":{\"dtype\":\"F32\",\"shape\":[1,3],\"data_offsets\":[0,12]},\"zeta\":"), "\(header)")
        #expect(data.count == 8 + n + 20)
        let back = try SafeTensors.decode(data, source: "mem")
        #expect(back.tensors["alpha"]!.data == [3, 4, 5] && back.tensors["zeta"]!.shape == [2] && back.metadata == ["k": "v"])
    }

    @Test("a tensor with the wrong shape gives an error naming file, tensor, expected and found shape, and a fix")
    func shapeMismatch() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("bad.safetensors")
        try Checkpoint(model: Fixture.model()).write(to: url)
        var (tensors, meta) = try SafeTensors.read(url)
        _ = meta
        let qkv = tensors["theta.h.1.qkvw"]!
        tensors["theta.h.1.qkvw"] = ([8, 24], qkv.data)
        tensors["w.h.0.fc.lora_b"] = nil
        try SafeTensors.write(tensors.map { ($0.key, $0.value.shape, $0.value.data) }, metadata: meta, to: url)
        do {
            _ = try Checkpoint.read(url)
            Issue.record("no error for a wrong shape")
        } catch {
            let text = "\(error)"
            for part in [url.path, "theta.h.1.qkvw", "[8, 24]", "expected [24, 8]", "w.h.0.fc.lora_b", "missing", "Fix:"] {
                #expect(text.contains(part), "error text lacks '\(part)': \(text)")
            }
        }
    }

    @Test("a model of another shape refuses the checkpoint, naming both configs")
    func configMismatch() throws {
        let ckpt = Checkpoint(model: Fixture.model())
        let other = GPTModel(config: GPTConfig(vocabSize: 11, contextLength: 8, channels: 16, layers: 2, heads: 2),
                             lora: LoRAConfig(rank: 2, alpha: 3), rng: RNG(seed: 1))
        #expect { try ckpt.load(into: other) } throws: { "\($0)".contains("\"channels\":16") && "\($0)".contains("\"channels\":8") }
    }
}
