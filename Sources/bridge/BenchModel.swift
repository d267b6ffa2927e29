import ArgumentParser
import BridgeSupport
import Foundation
import GPT
import TensorCore

/// `bridge bench model`: GPT training-step and KV-cache sampling throughput at 1 BLAS thread, with
/// achieved GFLOP/s, the ratio to a raw SGEMM timed in the same run, and the ratio to the PyTorch peer
/// numbers of ../shared/anchors/perf/REPORT.md.
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

    @Option(help: "Comma-separated modes: train, sample.")
    var modes = "train,sample"

    @Flag(help: "Short timings (smoke test; numbers are noisier).")
    var quick = false

    @Option(help: "Minimum seconds per timed measurement.")
    var minSeconds = 2.0

    @Option(help: "Print the Markdown table of an existing CSV written by this command, and exit (no timing).")
    var markdownFrom: String?

    /// PyTorch 2.13 CPU eager, 1 thread, from REPORT.md: train tok/s (B=16, B=64) and KV sampling new tok/s.
    static let peer: [String: (train16: Double, train64: Double, sample: Double)] = [
        "tiny": (61_826, 65_676, 60_002), "small": (10_443, 10_632, 10_488), "medium": (2_115, 2_145, 3_036),
    ]
    /// The issue's targets as multiples of the peer.
    static let trainTarget: [String: Double] = ["tiny": 1.5, "small": 1.3, "medium": 1.1]
    static let sampleTarget = 2.0

    func validate() throws {
        for s in sizes.split(separator: ",") where !GPTConfig.presetNames.contains(String(s)) {
            throw ValidationError("unknown size '\(s)'. Fix: use a subset of \(GPTConfig.presetNames.joined(separator: ","))")
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
            print(try BenchModel.markdown(csv: AtomicFile.readText(URL(fileURLWithPath: markdownFrom), what: "--markdown-from")))
            return
        }
        BLAS.threads = 1
        let seconds = quick ? min(0.3, minSeconds) : minSeconds
        var table = CSVTable(columns: ["size", "mode", "batch", "seq_len", "threads", "params", "flop_per_token",
                                       "tokens_per_s", "gflops", "sgemm_gflops", "ratio_sgemm", "peer_tokens_per_s",
                                       "ratio_peer", "target_ratio_peer", "meets_target"])
        for size in sizes.split(separator: ",").map(String.init) {
            let c = try GPTConfig.preset(size)
            let L = Double(c.layers), C = Double(c.channels), T = Double(c.contextLength)
            let nMatmul = 12 * L * C * C + Double(c.vocabSize) * C
            let trainFlop = 6 * nMatmul + 12 * L * T * C
            let sgemm = BenchModel.sgemmRate(config: c, rows: 16 * c.contextLength, seconds: seconds)
            let peer = BenchModel.peer[size]!
            for B in [16, 64] where modes.contains("train") {
                let perStep = BenchModel.trainStep(config: c, B: B, seconds: seconds)
                let tps = Double(B * c.contextLength) / perStep
                let gf = tps * trainFlop * 1e-9
                let p = B == 16 ? peer.train16 : peer.train64
                let target = BenchModel.trainTarget[size]!
                table.append([.text(size), "train", .integer(B), .integer(c.contextLength), 1, .integer(c.parameterCount),
                              .number(trainFlop), .number(tps.rounded()), .number(round2(gf)), .number(round2(sgemm)),
                              .number(round3(gf / sgemm)), .number(p), .number(round3(tps / p)), .number(target),
                              .text(tps / p >= target ? "yes" : "no")])
                print("\(size) train B=\(B): \(Int(tps)) tok/s, \(round2(gf)) GFLOP/s = \(round3(gf / sgemm)) of SGEMM \(round2(sgemm)); \(round3(tps / p))× peer (target \(target)×)")
            }
            guard modes.contains("sample") else { continue }
            let (sampleSeconds, newTokens) = BenchModel.sampling(config: c, seconds: seconds)
            let stps = Double(newTokens) / sampleSeconds
            let sampleFlop = 2 * nMatmul + 4 * L * C * (16 + 16)
            let sgf = stps * sampleFlop * 1e-9
            table.append([.text(size), "sample", 64, 48, 1, .integer(c.parameterCount), .number(sampleFlop),
                          .number(stps.rounded()), .number(round2(sgf)), .number(round2(sgemm)), .number(round3(sgf / sgemm)),
                          .number(peer.sample), .number(round3(stps / peer.sample)), .number(BenchModel.sampleTarget),
                          .text(stps / peer.sample >= BenchModel.sampleTarget ? "yes" : "no")])
            print("\(size) sample 64×32: \(Int(stps)) new tok/s; \(round3(stps / peer.sample))× peer (target \(BenchModel.sampleTarget)×)")
        }
        try table.write(to: URL(fileURLWithPath: out))
        print(BenchModel.markdown(csv: table.text))
        print("wrote \(out)")
    }

    /// The docs table: one row per CSV row.
    static func markdown(csv: String) -> String {
        let (header, rows) = CSVTable.parse(csv)
        func col(_ row: [String], _ name: String) -> String { header.firstIndex(of: name).map { $0 < row.count ? row[$0] : "" } ?? "" }
        var lines = ["| size | mode | B | tokens/s | GFLOP/s | SGEMM GFLOP/s | ratio to SGEMM | peer tokens/s | ratio to peer | target | met |",
                     "|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in rows {
            lines.append("| " + ["size", "mode", "batch", "tokens_per_s", "gflops", "sgemm_gflops", "ratio_sgemm",
                                 "peer_tokens_per_s", "ratio_peer", "target_ratio_peer", "meets_target"].map { col(r, $0) }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
    func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

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

    /// Seconds per full training step: forward, backward (θ), AdamW on θ.
    static func trainStep(config c: GPTConfig, B: Int, seconds: Double) -> Double {
        let model = GPTModel(config: c, lora: .none, rng: RNG(seed: 1))
        let N = B * c.contextLength
        let tokens = (0..<N).map { Int32(($0 * 7 + 3) % c.vocabSize) }
        let targets = (0..<N).map { Int32(($0 * 5 + 1) % c.vocabSize) }
        let dl = [Float](repeating: -1 / Float(N), count: N)
        var m = [Float](repeating: 0, count: model.theta.count), v = m
        var step = 0
        let cfg = AdamWConfig(learningRate: 1e-4, weightDecay: 0.1)
        return time(seconds: seconds) {
            step += 1
            model.zeroGradients()
            _ = model.forward(tokens: tokens, targets: targets, B: B, T: c.contextLength)
            model.backward(dlogprobs: dl, theta: true, w: false)
            model.theta.storage.withUnsafeMutableBufferPointer { p in
                model.gradTheta.storage.withUnsafeBufferPointer { g in
                    AdamW.update(params: p.baseAddress!, grads: g.baseAddress!, m: &m, v: &v, count: p.count, step: step, config: cfg)
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
