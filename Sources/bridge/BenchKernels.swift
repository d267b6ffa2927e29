import ArgumentParser
import BridgeSupport
import Foundation
import TensorCore

/// `bridge bench kernels`: GFLOP/s of the linear layer's three GEMMs (forward, backward dinp, backward
/// dweight) through the `Linear` wrappers, each next to a raw `BLAS.gemm` of the same shape timed in
/// the same run, interleaved, at 1 BLAS thread. The ratio wrapper/raw shows hidden copies or per-row
/// calls; the goal is ≥ 0.95 everywhere.
struct BenchKernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Linear-layer GEMM throughput: wrapper vs raw BLAS.gemm of the same shape, 1 BLAS thread.",
        discussion: """
            For M = B·T rows in {512, 1024, 2048, 4096} and (C, OC) in {(128,128), (128,384), (128,512), \
            (512,128), (256,256), (256,768), (256,1024), (1024,256)}, times Linear.forward (with bias), \
            Linear.backward's dinp GEMM and its dweight GEMM, each interleaved with the equivalent raw \
            BLAS.gemm. Reports medians; writes a CSV and <name>.provenance.json (OpenBLAS build, core, date).
            """
    )

    @Option(help: "CSV file to write; folders are created.")
    var out = "results/bench/kernels.csv"

    @Option(help: "Timed samples per side and (op, shape); the median is reported (at least 5).")
    var repeats = 7

    @Option(help: "Untimed warm-up samples per side and (op, shape), before timing.")
    var warmup = 2

    @Option(name: .customLong("min-sample-ms"), help: "Each timed sample repeats the call until it lasts about this long (ms), so that small GEMMs are not timer noise.")
    var minSampleMs = 10.0

    @Flag(help: "Smoke run: M in {512, 2048} and (C, OC) in {(128,128), (128,512), (512,128)} only.")
    var quick = false

    @Option(help: "Timer: 'cpu' (this thread's CPU time: time the process was descheduled on a shared machine does not count) or 'wall'.")
    var clock: BenchClock = .cpu

    func validate() throws {
        guard repeats >= 5 else {
            throw ValidationError("--repeats \(repeats) is too few: the median needs at least 5 samples per side. Fix: pass --repeats 5 or more.")
        }
        guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more (got \(warmup)).") }
        guard minSampleMs > 0, minSampleMs.isFinite else {
            throw ValidationError("--min-sample-ms must be a positive number of milliseconds (got \(minSampleMs)).")
        }
        guard out.hasSuffix(".csv") else { throw ValidationError("--out must name a .csv file (got '\(out)').") }
    }

    func run() throws {
        BLAS.threads = 1 // the goal is stated at 1 thread; training pins it too
        let provenance = NumericsProvenance.current()
        if !BLAS.isOpenBLAS {
            print("warning: cblas_sgemm resolved to '\(provenance.sgemmLibrary)', not OpenBLAS (run `bridge doctor`).")
        }
        let rowsList = quick ? [512, 2048] : [512, 1024, 2048, 4096]
        let layers: [(C: Int, OC: Int)] = quick ? [(128, 128), (128, 512), (512, 128)]
            : [(128, 128), (128, 384), (128, 512), (512, 128), (256, 256), (256, 768), (256, 1024), (1024, 256)]
        print("OpenBLAS \(provenance.openblasConfig) | core \(provenance.openblasCore) | BLAS threads \(provenance.blasThreads)")
        print("repeats \(repeats) (median), warm-up \(warmup), min sample \(Format.number(minSampleMs)) ms, clock \(clock.rawValue)\n")
        print(LinearBenchResult.tableHeader)

        var rng = RNG(seed: 1).derive("bench.kernels")
        var results: [LinearBenchResult] = []
        let started = ContinuousClock.now, startedAt = Date()
        for rows in rowsList {
            for layer in layers {
                let buffers = LinearBenchBuffers(rows: rows, C: layer.C, OC: layer.OC, rng: &rng)
                for op in LinearBenchOp.allCases {
                    let r = measure(op, buffers)
                    print(r.tableRow)
                    results.append(r)
                }
            }
        }
        let elapsed = ContinuousClock.now - started

        var table = CSVTable(columns: LinearBenchResult.csvColumns)
        for r in results { table.append(r.csvCells) }
        let url = URL(fileURLWithPath: out)
        try table.write(to: url)
        let ratios = results.map(\.ratio).sorted()
        let worst = results.min { $0.ratio < $1.ratio }!
        let below = results.filter { $0.ratio < 0.95 }.count
        let summary = "ratio wrapper/raw: median \(fixed(ratios[ratios.count / 2], 3)), min \(fixed(worst.ratio, 3)) " +
            "(\(worst.op.rawValue) M\(worst.M) K\(worst.K) N\(worst.N)); \(below) of \(results.count) below 0.95"
        let metaURL = try BenchProvenance.write(besides: url, started: startedAt, settings: BenchKernelsSettings(
            repeats: repeats, warmup: warmup, minSampleMs: minSampleMs, quick: quick, clock: clock.rawValue, summary: summary))
        print("\n\(summary)")
        print("wrote \(url.path) and \(metaURL.lastPathComponent) in \(fixed(Double(elapsed.components.seconds), 0)) s")
    }

    /// Interleaved timing of one op: warm-up, calibrate the calls per sample on the raw GEMM, then
    /// alternate the order (wrapper, raw), (raw, wrapper), … so drift hits both sides equally.
    func measure(_ op: LinearBenchOp, _ b: LinearBenchBuffers) -> LinearBenchResult {
        let wrapper = { b.runWrapper(op) }, raw = { b.runRaw(op) }
        var single = Double.infinity
        for _ in 0..<max(warmup, 1) {
            _ = time(wrapper, calls: 1)
            single = min(single, time(raw, calls: 1))
        }
        let calls = max(1, Int((minSampleMs / 1000 / single).rounded(.up)))
        var wrapperTimes: [Double] = [], rawTimes: [Double] = []
        for i in 0..<repeats {
            if i % 2 == 0 {
                wrapperTimes.append(time(wrapper, calls: calls)); rawTimes.append(time(raw, calls: calls))
            } else {
                rawTimes.append(time(raw, calls: calls)); wrapperTimes.append(time(wrapper, calls: calls))
            }
        }
        let (M, K, N) = b.gemmShape(op)
        let flops = 2 * Double(M) * Double(K) * Double(N) * Double(calls)
        let wrapperGflops = flops / median(wrapperTimes) / 1e9, rawGflops = flops / median(rawTimes) / 1e9
        // The forward's extra work is broadcasting the bias into out before a β = 1 GEMM: its time as a
        // share of the raw GEMM's says whether it is worth folding differently (goal < 5%).
        var biasShare = Double.nan
        if op == .forward {
            let copy = { b.broadcastBias() }
            let perCopy = max(time(copy, calls: 1), 1e-9)
            let copyCalls = max(1, Int((minSampleMs / 1000 / perCopy).rounded(.up)))
            let copyTimes = (0..<repeats).map { _ in time(copy, calls: copyCalls) / Double(copyCalls) }
            biasShare = median(copyTimes) / (median(rawTimes) / Double(calls))
        }
        return LinearBenchResult(op: op, rows: b.rows, C: b.C, OC: b.OC, M: M, K: K, N: N,
                                 wrapperGflops: wrapperGflops, rawGflops: rawGflops, biasCopyShare: biasShare,
                                 repeats: repeats, calls: calls)
    }

    func time(_ body: () -> Void, calls: Int) -> Double {
        let start = clock.seconds()
        for _ in 0..<calls { body() }
        return clock.seconds() - start
    }
}

/// Where benchmark time comes from. With 1 BLAS thread every FLOP runs on the calling thread, so its
/// CPU time is the compute time even when other processes share the cores.
enum BenchClock: String, ExpressibleByArgument, CaseIterable {
    case cpu, wall

    func seconds() -> Double {
        var ts = timespec()
        clock_gettime(self == .cpu ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

private func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// x with `digits` decimals, locale-independent.
private func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

/// The three GEMMs of a linear layer out (M,OC) = inp (M,C) · weight (OC,C)ᵀ + bias.
enum LinearBenchOp: String, CaseIterable {
    case forward = "linear_forward", backwardInput = "linear_backward_dinp", backwardWeight = "linear_backward_dweight"
}

/// Buffers of one layer shape (rows = B·T), filled once with N(0, 0.1²) values.
final class LinearBenchBuffers {
    let rows: Int, C: Int, OC: Int
    let inp: FloatPointer, weight: FloatPointer, bias: FloatPointer, out: FloatPointer
    let dout: FloatPointer, dinp: FloatPointer, dweight: FloatPointer

    init(rows: Int, C: Int, OC: Int, rng: inout RNG) {
        self.rows = rows; self.C = C; self.OC = OC
        func buffer(_ n: Int) -> FloatPointer {
            let p = FloatPointer.allocate(capacity: n)
            rng.fillNormal(p, count: n, std: 0.1)
            return p
        }
        inp = buffer(rows * C); weight = buffer(OC * C); bias = buffer(OC); out = buffer(rows * OC)
        dout = buffer(rows * OC); dinp = buffer(rows * C); dweight = buffer(OC * C)
    }

    deinit { for p in [inp, weight, bias, out, dout, dinp, dweight] { p.deallocate() } }

    /// GEMM (M, K, N) of an op: C(M,N) = A(M,K)·B(K,N).
    func gemmShape(_ op: LinearBenchOp) -> (M: Int, K: Int, N: Int) {
        switch op {
        case .forward: return (rows, C, OC)
        case .backwardInput: return (rows, OC, C)
        case .backwardWeight: return (OC, rows, C)
        }
    }

    func runWrapper(_ op: LinearBenchOp) {
        switch op {
        case .forward:
            Linear.forward(out: out, inp: inp, weight: weight, bias: bias, N: rows, C: C, OC: OC)
        case .backwardInput:
            Linear.backward(dinp: dinp, dweight: nil, dbias: nil, dout: dout, inp: inp, weight: weight, N: rows, C: C, OC: OC)
        case .backwardWeight:
            Linear.backward(dinp: nil, dweight: dweight, dbias: nil, dout: dout, inp: inp, weight: weight, N: rows, C: C, OC: OC)
        }
    }

    /// Linear.forward's bias broadcast on its own (one row copy per row, as the wrapper does it).
    func broadcastBias() {
        for n in 0..<rows { (out + n * OC).update(from: bias, count: OC) }
    }

    /// The same product as one bare GEMM (forward without its bias: the bias is the wrapper's cost).
    func runRaw(_ op: LinearBenchOp) {
        switch op {
        case .forward:
            BLAS.gemm(.none, .transpose, m: rows, n: OC, k: C, a: inp, b: weight, beta: 0, c: out)
        case .backwardInput:
            BLAS.gemm(.none, .none, m: rows, n: C, k: OC, a: dout, b: weight, beta: 1, c: dinp)
        case .backwardWeight:
            BLAS.gemm(.transpose, .none, m: OC, n: C, k: rows, a: dout, b: inp, beta: 1, c: dweight)
        }
    }
}

/// One CSV row / table line.
struct LinearBenchResult {
    let op: LinearBenchOp
    let rows: Int, C: Int, OC: Int, M: Int, K: Int, N: Int
    let wrapperGflops: Double, rawGflops: Double
    /// Forward only: time of the bias broadcast / time of the raw GEMM (NaN for backward ops).
    let biasCopyShare: Double
    let repeats: Int, calls: Int
    var ratio: Double { wrapperGflops / rawGflops }

    static let csvColumns = ["op", "M", "K", "N", "rows", "C", "OC", "wrapper_gflops", "raw_gflops", "ratio",
                             "bias_copy_share", "repeats", "calls_per_sample"]
    var csvCells: [CSVTable.Cell] {
        [.text(op.rawValue), .integer(M), .integer(K), .integer(N), .integer(rows), .integer(C), .integer(OC),
         .number(rounded(wrapperGflops, 2)), .number(rounded(rawGflops, 2)), .number(rounded(ratio, 4)),
         biasCopyShare.isNaN ? .empty : .number(rounded(biasCopyShare, 4)), .integer(repeats), .integer(calls)]
    }

    static let tableHeader = pad("op", 24) + pad("M", 6) + pad("K", 6) + pad("N", 6) + pad("wrapper GF/s", 14)
        + pad("raw GF/s", 10) + pad("ratio", 7) + "bias copy"
    var tableRow: String {
        pad(op.rawValue, 24) + pad(String(M), 6) + pad(String(K), 6) + pad(String(N), 6)
            + pad(fixed(wrapperGflops, 1), 14) + pad(fixed(rawGflops, 1), 10) + pad(fixed(ratio, 3), 7)
            + (biasCopyShare.isNaN ? "" : fixed(100 * biasCopyShare, 1) + "%")
    }
}

private func rounded(_ x: Double, _ digits: Int) -> Double {
    let scale = Foundation.pow(10, Double(digits))
    return (x * scale).rounded() / scale
}

private func pad(_ s: String, _ width: Int) -> String { s.padding(toLength: max(width, s.count + 1), withPad: " ", startingAt: 0) }

/// `bridge bench kernels`' own settings in its provenance file (see `BenchProvenance`).
struct BenchKernelsSettings: Encodable {
    var repeats: Int
    var warmup: Int
    var minSampleMs: Double
    var quick: Bool
    var clock: String
    /// The summary line printed at the end (ratio wrapper / raw).
    var summary: String

    enum CodingKeys: String, CodingKey { case repeats, warmup, minSampleMs = "min_sample_ms", quick, clock, summary }
}
