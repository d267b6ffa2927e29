import ArgumentParser
import BridgeSupport
import Foundation
import TensorCore
import Training

/// `bridge bench methods`: BRIDGE's training-step time over RL-zero's at one config, measured in one
/// process (same base model, same rollout budget; evaluation excluded). Paper: 6.9 h / 6.1 h ≈ 1.13.
struct BenchMethods: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "methods",
        abstract: "Time per training step of each method (default rl_zero and bridge); ratio to rl_zero; CSV."
    )

    @Option(name: .long, help: "Updates per method.")
    var steps = 10

    @Option(name: .long, help: "Comma-separated methods to time (the first is the reference).")
    var methods = "rl_zero,bridge"

    @Option(name: .long, help: "YAML config file (default config otherwise).")
    var config: String?

    @Option(name: .long, help: "CSV output.")
    var out = "results/bench/methods.csv"

    @Argument(help: "Overrides key.path=value.")
    var overrides: [String] = []

    func run() throws {
        BLAS.threads = 1
        var cfg = try Train.loadConfig(file: config, method: nil,
                                       overrides: ["run.steps=\(steps)", "run.eval_every=0", "run.checkpoint_every=0"] + overrides)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bridge-bench-methods-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var table = CSVTable(columns: ["method", "steps", "step_s", "ratio_to_first", "rollouts", "tokens", "peak_rss_mb", "blas_threads"])
        var reference = 0.0
        for m in methods.split(separator: ",").map(String.init) {
            cfg.run.method = m
            try cfg.validate(source: "bench methods")
            let r = try TrainRunner.execute(config: cfg, runId: m, outDir: scratch.appendingPathComponent(m), resume: false)
            let stepS = r.timings[Metric.stepSeconds] ?? 0
            if reference == 0 { reference = stepS }
            let ratio = reference > 0 ? stepS / reference : 0
            table.append([.text(m), .integer(steps), .number(stepS), .number(ratio), .number(r.timings[Metric.rollouts] ?? 0),
                          .number(r.timings[Metric.tokens] ?? 0), .number(r.timings[Metric.peakRSSMB] ?? 0), .integer(BLAS.threads)])
            print("\(m): \(String(format: "%.3f", stepS)) s/step, ratio \(String(format: "%.3f", ratio))")
        }
        let url = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try table.write(to: url)
        print("wrote \(out)")
    }
}
