import Foundation
import Testing

/// Issue 17, "nothing lost, nothing crashes": every bad case of the fault battery as a fast CLI check
/// (tiny model from random init, a few updates). docs/reliability.md lists what each one guarantees.
@Suite(.serialized) struct ReliabilityCLITests {
    /// A training run of a few seconds at most.
    static let tiny = ["run.base=random", "model.preset=tiny", "run.steps=4", "run.eval_every=0", "run.checkpoint_every=2",
                       "eval.heldout_size=4", "eval.probe_size=4", "eval.suite.benchmarks.size=4", "rl.prompts_per_step=2",
                       "rl.group_size=4", "rl.max_new_tokens=8", "sft.batch_size=4",
                       "eval.suite.benchmarks.names=[b1_indist,b2_harder,b5_compose]"]  // b3, b4 do not fit the tiny context

    static func train(_ extra: [String], out: String = "r", method: String = "sft", in dir: URL) throws -> (status: Int32, out: String, err: String) {
        try runBridge(["train", "--method", method, "--out", out, "--quiet"] + tiny + extra, in: dir)
    }

    static func text(_ dir: URL, _ path: String) -> String { (try? String(contentsOf: dir.appendingPathComponent(path), encoding: .utf8)) ?? "" }

    @Test("train refuses another run's folder and a user's files; --resume keeps a finished run; --force replaces")
    func trainFolderGuard() throws {
        let dir = try makeTempDir("rel-guard")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try Self.train([], in: dir).status == 0)
        let before = Self.text(dir, "r/result.json") + Self.text(dir, "r/metrics.csv")
        let other = try Self.train(["run.seed=2"], in: dir)
        #expect(other.status != 0 && other.err.contains("holds another run (finished, a different config)") && other.err.contains("Fix: "), "\(other.err)")
        let same = try Self.train([], in: dir)
        #expect(same.status != 0 && same.err.contains("pass --resume"), "\(same.err)")
        #expect(Self.text(dir, "r/result.json") + Self.text(dir, "r/metrics.csv") == before, "a refused command changed the run")
        let resumed = try Self.train(["--resume"], in: dir)
        #expect(resumed.status == 0 && resumed.out.contains("finished"), "\(resumed.err)")
        #expect(Self.text(dir, "r/result.json") + Self.text(dir, "r/metrics.csv") == before, "--resume recomputed a finished run")
        let forced = try Self.train(["run.seed=2", "--force"], in: dir)
        #expect(forced.status == 0, "\(forced.err)")
        #expect(Self.text(dir, "r/config.json").contains("\"seed\": 2"))
        // A user's files in the folder.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("mine"), withIntermediateDirectories: true)
        try "notes".write(to: dir.appendingPathComponent("mine/notes.txt"), atomically: true, encoding: .utf8)
        let user = try Self.train([], out: "mine", in: dir)
        #expect(user.status != 0 && user.err.contains("not a run's (notes.txt)"), "\(user.err)")
        #expect(Self.text(dir, "mine/notes.txt") == "notes")
    }

    @Test("two train processes on one folder: the second is refused while the first holds the lock; a killed run resumes")
    func concurrentAndKilledTrain() throws {
        let dir = try makeTempDir("rel-lock")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = Process()
        p.executableURL = try bridgeBinary()
        p.arguments = ["train", "--method", "sft", "--out", "r", "--quiet"] + Self.tiny + ["run.steps=400", "run.checkpoint_every=5"]
        p.currentDirectoryURL = dir
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        try p.run()
        let ckpt = dir.appendingPathComponent("r/checkpoint.safetensors").path
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: ckpt), p.isRunning, Date() < deadline { usleep(20_000) }
        let second = try Self.train(["run.steps=400", "run.checkpoint_every=5"], in: dir)
        #expect(second.status != 0 && second.err.contains("another `bridge train` (pid \(p.processIdentifier)) is writing this folder"), "\(second.err)")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal, "the run finished before it could be killed")
        // Killed mid-run: --resume continues (the lock died with the process); a short run checks the rest.
        let noResume = try Self.train(["run.steps=400", "run.checkpoint_every=5"], in: dir)
        #expect(noResume.status != 0 && noResume.err.contains("(unfinished)") && noResume.err.contains("--resume"), "\(noResume.err)")
    }

    @Test("--resume without the checkpoint is an error once something was recorded; a cut metrics.csv is refused")
    func resumeIntegrity() throws {
        let dir = try makeTempDir("rel-resume")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Nothing started: --resume into a new folder just starts.
        #expect(try Self.train(["--resume"], in: dir).status == 0)
        let ref = Self.text(dir, "r/metrics.csv")
        try FileManager.default.removeItem(at: dir.appendingPathComponent("r/checkpoint.safetensors"))
        let missing = try Self.train(["--resume"], in: dir)
        #expect(missing.status != 0 && missing.err.contains("checkpoint.safetensors: --resume needs the run's checkpoint, which is missing"), "\(missing.err)")
        // metrics.csv cut to its first rows under a checkpoint at step 2.
        #expect(try Self.train(["--force", "run.steps=2"], in: dir).status == 0)
        let lines = Self.text(dir, "r/metrics.csv").split(separator: "\n", omittingEmptySubsequences: false)
        try (lines.prefix(3).joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("r/metrics.csv"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("r/result.json"))
        let cut = try Self.train(["--resume", "run.steps=2"], in: dir)
        #expect(cut.status != 0 && cut.err.contains("run files disagree") && cut.err.contains("--force"), "\(cut.err)")
        #expect(!ref.isEmpty)
    }

    @Test("export-hf, data generate/export, theory run, pretrain --out and study export never replace a user's files")
    func otherCommandsGuard() throws {
        let dir = try makeTempDir("rel-others")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try runBridge(["init", "--preset", "tiny", "--out", "m.safetensors"], in: dir).status == 0)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("hf"), withIntermediateDirectories: true)
        try "{\"mine\": 1}".write(to: dir.appendingPathComponent("hf/config.json"), atomically: true, encoding: .utf8)
        let e = try runBridge(["export-hf", "--checkpoint", "m.safetensors", "--out", "hf"], in: dir)
        #expect(e.status != 0 && e.err.contains("hf/config.json: the export would replace existing config.json. Fix: "), "\(e.err)")
        #expect(Self.text(dir, "hf/config.json") == "{\"mine\": 1}")
        #expect(try runBridge(["export-hf", "--checkpoint", "m.safetensors", "--out", "hf", "--force"], in: dir).status == 0)

        try "keep".write(to: dir.appendingPathComponent("sft.jsonl"), atomically: true, encoding: .utf8)
        let x = try runBridge(["data", "export", "--set", "heldout", "--out", "sft.jsonl"], in: dir)
        #expect(x.status != 0 && x.err.contains("would replace existing sft.jsonl"), "\(x.err)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("data"), withIntermediateDirectories: true)
        try "keep".write(to: dir.appendingPathComponent("data/readme.txt"), atomically: true, encoding: .utf8)
        let g = try runBridge(["data", "generate", "--out", "data", "sft_size=8"], in: dir)
        #expect(g.status != 0 && g.err.contains("not a data folder's (readme.txt)"), "\(g.err)")
        let g2 = try runBridge(["data", "generate", "--out", "data2", "sft_size=8", "rl_size=8", "heldout_size=8", "pretrain_problems=8"], in: dir)
        #expect(g2.status == 0, "\(g2.err)")
        #expect(try runBridge(["data", "generate", "--out", "data2", "sft_size=8", "rl_size=8", "heldout_size=8", "pretrain_problems=8"], in: dir).status == 0,
                "regenerating the same config must be allowed")
        let g3 = try runBridge(["data", "generate", "--out", "data2", "sft_size=9", "rl_size=8", "heldout_size=8", "pretrain_problems=8"], in: dir)
        #expect(g3.status != 0 && g3.err.contains("different data config"), "\(g3.err)")

        try FileManager.default.createDirectory(at: dir.appendingPathComponent("t"), withIntermediateDirectories: true)
        try "keep".write(to: dir.appendingPathComponent("t/paper.tex"), atomically: true, encoding: .utf8)
        let t = try runBridge(["theory", "run", "--experiment", "quadratic_bias", "--out", "t"], in: dir)
        #expect(t.status != 0 && t.err.contains("not a run's (paper.tex)"), "\(t.err)")

        let p = try runBridge(["pretrain", "--preset", "tiny", "--out", "m.safetensors", "--cache-dir", "cache", "steps=1"], in: dir)
        #expect(p.status != 0 && p.err.contains("pretrain would replace existing m.safetensors"), "\(p.err)")
    }

    @Test("pretrain --eval on the tiny preset scores the benchmarks its context holds and names the others")
    func pretrainEvalTiny() throws {
        let dir = try makeTempDir("rel-pretrain-eval")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try runBridge(["pretrain", "--preset", "tiny", "--cache-dir", "cache", "--eval-csv", "e.csv", "--benchmark-size", "32", "steps=2"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("b3_longer, b4_deeper do not fit the model's context (64 tokens)"), "\(r.err)")
        let rows = try String(contentsOf: dir.appendingPathComponent("e.csv"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").first.map(String.init) ?? "" }
        #expect(rows == ["benchmark", "b1_indist", "b2_harder", "b5_compose", "mean"])
    }

    @Test("a NaN weight is refused by score, eval and export-hf with the tensor named")
    func nonFiniteCheckpoint() throws {
        let dir = try makeTempDir("rel-nan")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try runBridge(["init", "--preset", "tiny", "--out", "m.safetensors"], in: dir).status == 0)
        let url = dir.appendingPathComponent("m.safetensors")
        var data = try Data(contentsOf: url)
        let n = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        data.replaceSubrange((8 + n)..<(12 + n), with: [0x00, 0x00, 0xC0, 0x7F]) // the first float: NaN
        try data.write(to: url)
        for args in [["score", "--checkpoint", "m.safetensors", "--tokens", "1,2"],
                     ["eval", "--checkpoint", "m.safetensors", "--size", "2"],
                     ["export-hf", "--checkpoint", "m.safetensors", "--out", "hf"]] {
            let r = try runBridge(args, in: dir)
            #expect(r.status != 0 && r.err.contains("non-finite value") && r.err.contains("tensor holds"), "\(args[0]): \(r.err)")
            #expect(!r.out.contains("nan"), "\(args[0]) printed nan: \(r.out)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("hf/model.safetensors").path))
    }

    @Test("oversized, non-integer, non-finite and enumerated config values are refused at load with the key")
    func configValues() throws {
        let dir = try makeTempDir("rel-config")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [([String], String)] = [
            (["rl.group_size=100000"], "'rl.group_size': the run would need about"),
            (["rl.group_size=1"], "'rl.group_size': must be ≥ 2 for rl_zero"),
            (["model.lora_targets=[qkv, bogus]"], "model.lora_targets[1]: 'bogus' is not one of qkv, attn_proj, fc, mlp_proj"),
            (["model.lora_targets=[qkv, qkv]"], "'model.lora_targets': duplicate target"),
            (["run.steps=2.5"], "'run.steps': must be an integer, found 2.5"),
            (["run.steps=1e30"], "'run.steps': 1e+30 is out of range for an integer"),
            (["optim_theta.lr=inf"], "'optim_theta.lr': must be a finite number, found inf"),
            (["optim_theta.lr=.nan"], "'optim_theta.lr': must be a finite number, found nan"),
        ]
        for (args, expected) in cases {
            let r = try Self.train(args, method: "rl_zero", in: dir)
            #expect(r.status != 0 && r.err.contains(expected) && r.err.contains("Fix: "), "\(args): \(r.err)")
            #expect(!r.err.contains("Fatal error") && !r.err.contains("not valid JSON"), "\(args): \(r.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("r").path), "a refused config wrote files")
        let bomb = (0..<9).map { i -> String in
            let name = String(UnicodeScalar(97 + i)!)
            if i == 0 { return "a: &a [1,1,1,1,1,1,1,1,1,1]" }
            let prev = String(UnicodeScalar(96 + i)!)
            return "\(name): &\(name) [" + Array(repeating: "*\(prev)", count: 10).joined(separator: ",") + "]"
        }.joined(separator: "\n")
        try bomb.write(to: dir.appendingPathComponent("bomb.yaml"), atomically: true, encoding: .utf8)
        let start = Date()
        let b = try runBridge(["train", "--config", "bomb.yaml", "--out", "r"], in: dir)
        #expect(b.status != 0 && b.err.contains("bomb.yaml") && b.err.contains("the YAML expands to more than"), "\(b.err)")
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test("an exploding loss ends the run as diverged, like NaN")
    func explodingLoss() throws {
        let dir = try makeTempDir("rel-explode")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Self.train(["optim_theta.lr=1e6", "run.steps=6"], in: dir)
        #expect(r.status != 0 && r.out.contains("diverged") && r.out.contains("sft/loss") && r.out.contains("exploded"), "\(r.out)\(r.err)")
        #expect(Self.text(dir, "r/result.json").contains("\"status\": \"diverged\""))
    }

    @Test("bad CLI numbers and lists: --workers -3, --tokens 1,,4, eval --jsonl with no problems")
    func cliInputs() throws {
        let dir = try makeTempDir("rel-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        try toyStudy(sleepMs: 0).write(to: dir.appendingPathComponent("toy.yaml"), atomically: true, encoding: .utf8)
        let w = try runBridge(["study", "run", "toy.yaml", "--workers", "-3"], in: dir)
        #expect(w.status != 0 && w.err.contains("--workers must be at least 1 (got -3)"), "\(w.err)")
        #expect(try runBridge(["init", "--preset", "tiny", "--out", "m.safetensors"], in: dir).status == 0)
        let t = try runBridge(["score", "--checkpoint", "m.safetensors", "--tokens", "1,,4"], in: dir)
        #expect(t.status != 0 && t.err.contains("field 2 of '1,,4' is empty"), "\(t.err)")
        try Data().write(to: dir.appendingPathComponent("empty.jsonl"))
        let e = try runBridge(["eval", "--checkpoint", "m.safetensors", "--jsonl", "empty.jsonl", "--size", "2"], in: dir)
        #expect(e.status != 0 && e.err.contains("empty.jsonl: holds no problems"), "\(e.err)")
    }

    @Test("file-system errors read `path: cause. Fix: …`, never raw NSError text")
    func fileSystemErrors() throws {
        let dir = try makeTempDir("rel-fs")
        defer { try? FileManager.default.removeItem(at: dir) }
        try "x".write(to: dir.appendingPathComponent("afile"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("cfgdir"), withIntermediateDirectories: true)
        let long = String(repeating: "x", count: 300)
        let cases: [([String], String)] = [
            (["train", "--method", "sft", "--out", "afile"] + Self.tiny, "afile: a file is in the way where a folder is expected. Fix: "),
            (["train", "--method", "sft", "--out", "afile/sub"] + Self.tiny, "afile: a file is in the way where a folder is expected. Fix: "),
            (["train", "--config", "cfgdir", "--out", "r"], "cfgdir: config file is a folder, where a file is expected. Fix: "),
            (["train", "--method", "sft", "--out", long] + Self.tiny, "the name is too long for the file system. Fix: use a shorter"),
            (["data", "export", "--set", "heldout", "--out", "cfgdir"], "would replace existing cfgdir"),
        ]
        for (args, expected) in cases {
            let r = try runBridge(args, in: dir)
            #expect(r.status != 0 && r.err.contains(expected), "\(args.prefix(5)): \(r.err)")
            #expect(!r.err.contains("NSCocoaErrorDomain") && !r.err.contains("Code=") && !r.err.contains("error 256"), "\(r.err)")
        }
    }

    @Test("a study re-runs, not collects, a run whose metrics.csv no longer matches its result.json")
    func studyRerunsDisagreeingRun() throws {
        let dir = try makeTempDir("rel-study")
        defer { try? FileManager.default.removeItem(at: dir) }
        try toyStudy(sleepMs: 0).write(to: dir.appendingPathComponent("toy.yaml"), atomically: true, encoding: .utf8)
        #expect(try runBridge(["study", "run", "toy.yaml", "--workers", "2", "--out", "ref"], in: dir).status == 0)
        #expect(try runBridge(["study", "run", "toy.yaml", "--workers", "2", "--out", "cut"], in: dir).status == 0)
        let runs = dir.appendingPathComponent("cut/runs")
        let victim = try FileManager.default.contentsOfDirectory(atPath: runs.path).sorted()[0]
        let metrics = runs.appendingPathComponent(victim).appendingPathComponent("metrics.csv")
        let lines = try String(contentsOf: metrics, encoding: .utf8).split(separator: "\n")
        try (lines.prefix(lines.count / 2).joined(separator: "\n") + "\n").write(to: metrics, atomically: true, encoding: .utf8)
        let status = try runBridge(["study", "status", "cut"], in: dir)
        #expect(status.out.contains("files disagree"), "\(status.out)")
        let (s, o, e) = try runBridge(["study", "run", "toy.yaml", "--workers", "2", "--out", "cut"], in: dir)
        #expect(s == 0 && o.contains("8 finished"), "\(o)\(e)")
        #expect(try sameCSVs(dir.appendingPathComponent("ref"), dir.appendingPathComponent("cut")) == [])
    }
}
