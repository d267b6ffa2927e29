import ArgumentParser
import BridgeSupport
import Foundation
import GPT
import TensorCore

/// `bridge bench model`: GPT training-step and KV-cache sampling throughput at 1 BLAS thread, with
/// achieved GFLOP/s, the ratio to a raw SGEMM timed in the same run, and the ratio to a PyTorch peer:
/// figures measured beside it by scripts/bench-peer.sh (`--peer FILE`), or stored figures, labelled so.
struct BenchModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "GPT train-step and sampling throughput (CSV).",
        discussion: """
            FLOP per training token = 6·N_matmul + 12·L·T·C with N_matmul = 12·L·C² + V·C (REPORT.md's convention).
            FLOP per sampled token = 2·N_matmul + 4·L·C·(average attended positions).
            Times are medians of the calling thread's CPU time (BLAS pinned to 1 thread), so that other
            processes on a shared machine disturb them less than wall time.
            """
    )

    @Option(help: "CSV output file.")
    var out = "results/bench/model.csv"

    @Option(help: "Comma-separated presets.")
    var sizes = "tiny,small,medium"

    @Option(help: "Comma-separated modes: train (full fine-tuning), lora (rank-8 adapters on all four targets, θ frozen), sample.")
    var modes = "train,lora,sample"

    @Option(help: "Comma-separated batch sizes of the train and lora modes (the targets are stated at 16 and 64).")
    var batches = "16,64"

    @Flag(help: "Short timings (smoke test; numbers are noisier).")
    var quick = false

    @Option(help: "Minimum seconds per timed measurement.")
    var minSeconds = 2.0

    @Option(help: "Print the Markdown table of an existing CSV written by this command, and exit (no timing). With --peer FILE, every peer ratio is recomputed against FILE, side by side judged by the CSV's provenance file.")
    var markdownFrom: String?

    @Option(help: "PyTorch peer figures (JSONL written by scripts/bench-peer.sh) to compute every ratio against; without it, the stored figures (not side by side).")
    var peer: String?

    @Flag(help: "Print the peer figures the ratios would use (--peer FILE, or the stored ones) and exit (no timing).")
    var showPeer = false

    /// The modes `--modes` accepts, in the order they run.
    static let modeNames = ["train", "lora", "sample"]

    /// The issue's targets as multiples of the peer: training per size, KV-cache sampling per size.
    static let trainTarget: [String: Double] = ["tiny": 1.5, "small": 1.3, "medium": 1.1]
    static let sampleTarget: [String: Double] = ["tiny": 2.0, "small": 2.0, "medium": 1.5]

    /// `--batches` as integers (0 for a part that is not one, which validate() rejects).
    var batchList: [Int] { batches.split(separator: ",").map { Int($0) ?? 0 } }

    func validate() throws {
        for s in sizes.split(separator: ",") where !GPTConfig.presetNames.contains(String(s)) {
            throw ValidationError("unknown size '\(s)'. Fix: use a subset of \(GPTConfig.presetNames.joined(separator: ","))")
        }
        for m in modes.split(separator: ",") where !BenchModel.modeNames.contains(String(m)) {
            throw ValidationError("unknown mode '\(m)'. Fix: use a subset of \(BenchModel.modeNames.joined(separator: ","))")
        }
        if batchList.isEmpty || batchList.contains(where: { $0 < 1 }) {
            throw ValidationError("--batches must be positive integers, found '\(batches)'. Fix: e.g. --batches 16,64")
        }
        if minSeconds <= 0 { throw ValidationError("--min-seconds must be > 0") }
    }

    /// CPU seconds used by the calling thread. With 1 BLAS thread this equals wall time on an idle
    /// machine and is far less disturbed when other processes share the cores.
    static func threadSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Median thread-CPU seconds of `body` over samples taken until `seconds` have passed (≥ 5 samples).
    static func time(seconds: Double, _ body: () -> Void) -> Double {
        body() // warm-up (allocations, caches)
        var samples: [Double] = []
        let start = threadSeconds()
        repeat {
            let t0 = threadSeconds()
            body()
            samples.append(threadSeconds() - t0)
        } while samples.count < 5 || threadSeconds() - start < seconds
        samples.sort()
        return samples[samples.count / 2]
    }

    func run() throws {
        if let markdownFrom {
            print(try BenchModel.markdown(from: markdownFrom, peer: peer))
            return
        }
        let started = Date()
        let sizeList = sizes.split(separator: ",").map(String.init), modeList = modes.split(separator: ",").map(String.init)
        let figures = try peer.map { try PeerFigures.load(path: $0) } ?? PeerFigures.stored
        try figures.requireFigures(sizes: sizeList, modes: modeList, batches: batchList, source: peer ?? "stored figures")
        print("peer: \(figures.label)")
        if showPeer {
            print(figures.listing(sizes: sizeList, modes: modeList, batches: batchList))
            return
        }
        BLAS.threads = 1
        let seconds = quick ? min(0.3, minSeconds) : minSeconds
        var table = CSVTable(columns: ["size", "mode", "batch", "seq_len", "threads", "params", "flop_per_token",
                                       "tokens_per_s", "gflops", "sgemm_gflops", "ratio_sgemm", "peer_tokens_per_s",
                                       "ratio_peer", "target_ratio_peer", "meets_target", "peer_side_by_side", "peer"])
        let peerCells: [CSVTable.Cell] = [.text(figures.sideBySide ? "yes" : "no"), .text(figures.label)]
        for size in sizeList {
            let c = try GPTConfig.preset(size)
            let L = Double(c.layers), C = Double(c.channels), T = Double(c.contextLength)
            let nMatmul = 12 * L * C * C + Double(c.vocabSize) * C
            let trainFlop = 6 * nMatmul + 12 * L * T * C
            let sgemm = BenchModel.sgemmRate(config: c, rows: 16 * c.contextLength, seconds: seconds)
            for B in batchList where modeList.contains("train") {
                let perStep = BenchModel.trainStep(config: c, B: B, seconds: seconds)
                let tps = Double(B * c.contextLength) / perStep
                let gf = tps * trainFlop * 1e-9
                let p = figures.figure(size: size, mode: "train", batch: B)!
                let target = BenchModel.trainTarget[size]!
                table.append([.text(size), "train", .integer(B), .integer(c.contextLength), 1, .integer(c.parameterCount),
                              .number(trainFlop), .number(tps.rounded()), .number(Self.round2(gf)), .number(Self.round2(sgemm)),
                              .number(Self.round3(gf / sgemm)), .number(p.rounded()), .number(Self.round3(tps / p)), .number(target),
                              .text(tps / p >= target ? "yes" : "no")] + peerCells)
                print("\(size) train B=\(B): \(Int(tps)) tok/s, \(Self.round2(gf)) GFLOP/s = \(Self.round3(gf / sgemm)) of SGEMM \(Self.round2(sgemm)); \(Self.round3(tps / p))× peer (target \(target)×)")
            }
            for B in batchList where modeList.contains("lora") {
                let perStep = BenchModel.trainStep(config: c, B: B, seconds: seconds, lora: true)
                let tps = Double(B * c.contextLength) / perStep
                let gf = tps * trainFlop * 1e-9 // same convention as full training (REPORT.md's LoRA table)
                let p = figures.figure(size: size, mode: "lora", batch: B)!
                table.append([.text(size), "lora", .integer(B), .integer(c.contextLength), 1, .integer(c.parameterCount),
                              .number(trainFlop), .number(tps.rounded()), .number(Self.round2(gf)), .number(Self.round2(sgemm)),
                              .number(Self.round3(gf / sgemm)), .number(p.rounded()), .number(Self.round3(tps / p)), .text(""), .text("")] + peerCells)
                print("\(size) lora B=\(B): \(Int(tps)) tok/s; \(Self.round3(tps / p))× peer LoRA (no target)")
            }
            guard modeList.contains("sample") else { continue }
            let (sampleSeconds, newTokens) = BenchModel.sampling(config: c, seconds: seconds)
            let stps = Double(newTokens) / sampleSeconds
            let sampleFlop = 2 * nMatmul + 4 * L * C * (16 + 16)
            let sgf = stps * sampleFlop * 1e-9
            let p = figures.figure(size: size, mode: "sample", batch: 64)!, target = BenchModel.sampleTarget[size]!
            table.append([.text(size), "sample", 64, 48, 1, .integer(c.parameterCount), .number(sampleFlop),
                          .number(stps.rounded()), .number(Self.round2(sgf)), .number(Self.round2(sgemm)), .number(Self.round3(sgf / sgemm)),
                          .number(p.rounded()), .number(Self.round3(stps / p)), .number(target),
                          .text(stps / p >= target ? "yes" : "no")] + peerCells)
            print("\(size) sample 64×32: \(Int(stps)) new tok/s; \(Self.round3(stps / p))× peer (target \(target)×)")
        }
        let url = URL(fileURLWithPath: out)
        try table.write(to: url)
        let metaURL = try BenchProvenance.write(besides: url, started: started, settings: BenchModelSettings(
            sizes: sizeList, modes: modeList, batches: batchList, quick: quick, minSeconds: seconds, peer: figures.label))
        print(BenchModel.markdown(csv: table.text))
        if let numerics = try BenchModelProvenance(besides: url)?.numericsLine { print(numerics) }
        print("wrote \(out) and \(metaURL.lastPathComponent)")
    }

    /// The table's rounding: GFLOP/s to 2 decimals, ratios to 3 (also for ratios recomputed by --markdown-from).
    static func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
    static func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

    /// GFLOP/s of raw SGEMMs with the model's linear-layer shapes (QKV, MLP up, MLP down; `rows` rows).
    static func sgemmRate(config c: GPTConfig, rows M: Int, seconds: Double) -> Double {
        let C = c.channels
        let shapes = [(3 * C, C), (4 * C, C), (C, 4 * C)]
        let maxN = 4 * C * C
        var rng = RNG(seed: 1)
        var a = [Float](repeating: 0, count: M * 4 * C), w = [Float](repeating: 0, count: maxN), out = [Float](repeating: 0, count: M * 4 * C)
        a.withUnsafeMutableBufferPointer { rng.fillNormal($0.baseAddress!, count: $0.count, std: 1) }
        w.withUnsafeMutableBufferPointer { rng.fillNormal($0.baseAddress!, count: $0.count, std: 1) }
        var flop = 0.0
        for (n, k) in shapes { flop += 2 * Double(M * n * k) }
        let s = time(seconds: seconds / 2) {
            a.withUnsafeBufferPointer { ap in w.withUnsafeBufferPointer { wp in out.withUnsafeMutableBufferPointer { op in
                for (n, k) in shapes {
                    BLAS.gemm(.none, .transpose, m: M, n: n, k: k, a: ap.baseAddress!, b: wp.baseAddress!, c: op.baseAddress!)
                }
            } } }
        }
        return flop / s * 1e-9
    }

    /// Seconds per training step: forward, backward, AdamW — on θ, or with `lora` on w only (θ frozen).
    static func trainStep(config c: GPTConfig, B: Int, seconds: Double, lora: Bool = false) -> Double {
        let model = GPTModel(config: c, lora: lora ? LoRAConfig(rank: 8, alpha: 16) : .none, rng: RNG(seed: 1))
        let N = B * c.contextLength
        let tokens = (0..<N).map { Int32(($0 * 7 + 3) % c.vocabSize) }
        let targets = (0..<N).map { Int32(($0 * 5 + 1) % c.vocabSize) }
        let dl = [Float](repeating: -1 / Float(N), count: N)
        var m = [Float](repeating: 0, count: lora ? model.w.count : model.theta.count), v = m
        var step = 0
        let cfg = AdamWConfig(learningRate: 1e-4, weightDecay: 0.1)
        return time(seconds: seconds) {
            step += 1
            model.zeroGradients()
            _ = model.forward(tokens: tokens, targets: targets, B: B, T: c.contextLength)
            model.backward(dlogprobs: dl, theta: !lora, w: lora)
            if lora {
                model.w.storage.withUnsafeMutableBufferPointer { p in
                    model.gradW.storage.withUnsafeBufferPointer { g in
                        AdamW.update(params: p.baseAddress!, grads: g.baseAddress!, m: &m, v: &v, count: p.count, step: step, config: cfg)
                    }
                }
            } else {
                model.theta.storage.withUnsafeMutableBufferPointer { p in
                    model.gradTheta.storage.withUnsafeBufferPointer { g in
                        AdamW.update(params: p.baseAddress!, grads: g.baseAddress!, m: &m, v: &v, count: p.count, step: step, config: cfg)
                    }
                }
            }
        }
    }

    /// (seconds, new tokens) of sampling 32 new tokens for 64 sequences with 16-token prompts.
    static func sampling(config c: GPTConfig, seconds: Double) -> (Double, Int) {
        let model = GPTModel(config: c, lora: .none, rng: RNG(seed: 1))
        var r = RNG(seed: 2)
        let prompts = (0..<64).map { _ in (0..<16).map { _ in Int32(r.int(below: c.vocabSize)) } }
        var produced = 0
        let s = time(seconds: seconds) {
            var rngs = (0..<64).map { RNG(seed: 3).derive("sample", UInt64($0)) }
            produced = model.sample(prompts: prompts, maxNewTokens: 32, options: SamplingOptions(temperature: 1), rngs: &rngs)
                .lengths.reduce(0, +)
        }
        return (s, produced)
    }
}
