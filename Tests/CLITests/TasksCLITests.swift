import Foundation
import Testing

@Suite(.serialized) struct TasksCLITests {
    @Test func dataExportIsDeterministicAndBadInputFails() throws {
        let dir = try makeTempDir("data")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try runBridge(["data", "export", "--set", "sft", "--out", "a.jsonl", "sft_size=20", "seed=3"], in: dir)
        let b = try runBridge(["data", "export", "--set", "sft", "--out", "b.jsonl", "sft_size=20", "seed=3"], in: dir)
        #expect(a.status == 0 && b.status == 0, "\(a.err)\(b.err)")
        let ta = try String(contentsOf: dir.appendingPathComponent("a.jsonl"), encoding: .utf8)
        let tb = try String(contentsOf: dir.appendingPathComponent("b.jsonl"), encoding: .utf8)
        #expect(ta == tb && ta.split(separator: "\n").count == 20)

        let bad = try runBridge(["data", "show", "--set", "sfft"], in: dir)
        #expect(bad.status != 0 && bad.err.contains("unknown set 'sfft' (did you mean 'sft'?)"), "\(bad.err)")
        let key = try runBridge(["data", "show", "tasks.addition.max_digitz=3"], in: dir)
        #expect(key.status != 0 && key.err.contains("did you mean 'max_digits'"), "\(key.err)")
        try "{\"prompt\":\"A:1+2\",\"answer\":\"3\"}\n{\"prompt\":\"A:1?2\",\"answer\":\"3\"}\n"
            .write(to: dir.appendingPathComponent("mine.jsonl"), atomically: true, encoding: .utf8)
        let mine = try runBridge(["data", "show", "--from", "mine.jsonl"], in: dir)
        #expect(mine.status != 0 && mine.err.contains("mine.jsonl:2: prompt has characters outside the alphabet: '?' at 3"), "\(mine.err)")
    }

    @Test func evalPrintsTheFiveBenchmarkTableAndPretrainCaches() throws {
        let dir = try makeTempDir("eval")
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = try runBridge(["eval", "--checkpoint", "nope.safetensors"], in: dir)
        #expect(missing.status != 0 && missing.err.contains("nope.safetensors not found"), "\(missing.err)")

        let args = ["pretrain", "--preset", "small", "steps=2", "batch_size=2", "corpus.problems=50", "--cache-dir", "cache",
                    "--out", "base.safetensors"]
        let first = try runBridge(args, in: dir)
        #expect(first.status == 0 && first.out.contains("base model trained"), "\(first.out)\(first.err)")
        let second = try runBridge(args, in: dir)
        #expect(second.status == 0 && second.out.contains("base model from cache"), "\(second.out)\(second.err)")

        let ev = try runBridge(["eval", "--checkpoint", "base.safetensors", "--size", "4", "--out", "eval.csv"], in: dir)
        #expect(ev.status == 0, "\(ev.err)")
        for name in ["b1_indist", "b2_harder", "b3_longer", "b4_deeper", "b5_compose", "mean"] {
            #expect(ev.out.contains(name), "table lacks \(name): \(ev.out)")
        }
        let csv = try String(contentsOf: dir.appendingPathComponent("eval.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "benchmark,problems,accuracy,format_error_rate,pass_at_k,k,completion_length" && csv.count == 7)
        let bad = try runBridge(["eval", "--checkpoint", "base.safetensors", "--benchmarks", "b9"], in: dir)
        #expect(bad.status != 0 && bad.err.contains("unknown benchmark 'b9'"), "\(bad.err)")

        // A named benchmark longer than the model's context is refused, naming it, its length and the context;
        // with none named, eval scores the benchmarks that fit and says which it left out.
        _ = try runBridge(["init", "--preset", "tiny", "--out", "tiny.safetensors"], in: dir)
        let long = try runBridge(["eval", "--checkpoint", "tiny.safetensors", "--size", "4", "--benchmarks", "b1_indist,b3_longer"], in: dir)
        #expect(long.status != 0 && long.err.contains("benchmark b3_longer has sequences") && long.err.contains("context of 64"), "\(long.err)")
        let fitting = try runBridge(["eval", "--checkpoint", "tiny.safetensors", "--size", "4"], in: dir)
        #expect(fitting.status == 0 && fitting.err.contains("b3_longer") && fitting.err.contains("not scored"), "\(fitting.err)")
        #expect(fitting.out.contains("b1_indist") && !fitting.out.contains("b3_longer"), "\(fitting.out)")
    }
}
