import ArgumentParser
import BridgeSupport
import Foundation
import TensorCore
import Training

/// `bridge bench methods`: seconds per training update of each method, and the ratio to the first
/// (default: BRIDGE over RL-zero), measured in one process from the same base model and seed, so
/// every method's update sees the same prompts and rollout lengths. Paper: 6.9 h / 6.1 h ≈ 1.13 (3B).
/// With `mix` in the list, BRIDGE's row also gets its ratio to its lower bound: mix's update (the same
/// passes on one fused gradient) plus the teacher's w-only passes, both measured in this run.
struct BenchMethods: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "methods",
        abstract: "Seconds per training update of each method (same start, same rollouts) and the ratio to the first; CSV."
    )

    @Option(name: .long, help: "Timed updates per method (each from a fresh copy of the base model).")
    var repeats = 5

    @Option(name: .long, help: "Comma-separated methods to time (the first is the reference).")
    var methods = "rl_zero,mix,bridge"

    @Option(name: .long, help: "SFT updates applied to the base before timing (0 = time at the base model's short direct answers).")
    var warmSft = 0

    @Option(name: .long, help: "YAML config file (default config otherwise).")
    var config: String?

    @Option(name: .long, help: "CSV output.")
    var out = "results/bench/methods.csv"

    @Argument(help: "Overrides key.path=value.")
    var overrides: [String] = []

    func validate() throws {
        if repeats < 1 { throw ValidationError("--repeats must be ≥ 1") }
        for m in methods.split(separator: ",") where !TrainConfig.methods.contains(String(m)) {
            throw ValidationError("unknown method '\(m)'; use some of \(TrainConfig.methods.joined(separator: ","))")
        }
    }

    func run() throws {
        BLAS.threads = 1
        let started = Date()
        let cfg = try Train.loadConfig(file: config, method: nil, overrides: overrides)
        let timings = try StepTimer.measure(config: cfg, methods: methods.split(separator: ",").map(String.init), repeats: repeats, warmSFTSteps: warmSft)
        var table = CSVTable(columns: ["method", "warm_sft", "repeats", "step_s", "ratio_to_first", "bound_s", "ratio_to_bound",
                                       "rollouts_per_step", "tokens_per_step", "blas_threads"]
                             + PhaseTimes().named.map(\.0))
        let reference = timings.first?.stepSeconds ?? 0
        let mix = timings.first { $0.method == "mix" }?.stepSeconds
        for t in timings {
            let ratio = reference > 0 ? t.stepSeconds / reference : 0
            // BRIDGE's lower bound: mix's update plus the passes only the teacher needs.
            let bound = t.method == "bridge" ? mix.map { $0 + t.phases.teacher } : nil
            let boundCells: [CSVTable.Cell] = bound.map { [.number($0), .number(t.stepSeconds / $0)] } ?? [.text(""), .text("")]
            table.append([.text(t.method), .integer(warmSft), .integer(repeats), .number(t.stepSeconds), .number(ratio)] + boundCells
                         + [.integer(t.rollouts), .integer(t.tokens), .integer(BLAS.threads)]
                         + t.phases.named.map { .number($0.1) })
            let boundText = bound.map { String(format: ", bound %.4f s (mix + teacher), ratio to bound %.3f", $0, t.stepSeconds / $0) } ?? ""
            print("\(t.method): \(String(format: "%.4f", t.stepSeconds)) s/update, ratio \(String(format: "%.3f", ratio))\(boundText), \(t.tokens) tokens/update")
            print("  " + t.phases.named.map { "\($0.0) \(String(format: "%.3f", $0.1))" }.joined(separator: ", "))
        }
        let url = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try table.write(to: url)
        let metaURL = try BenchProvenance.write(besides: url, started: started, settings: BenchMethodsSettings(
            methods: methods.split(separator: ",").map(String.init), repeats: repeats, warmSft: warmSft, config: cfg))
        print("wrote \(out) and \(metaURL.lastPathComponent)")
    }
}

/// `bridge bench methods`' own settings in its provenance file (see `BenchProvenance`): the effective
/// config (file and overrides applied), so the timed model and batch shapes can be traced.
struct BenchMethodsSettings: Encodable {
    var methods: [String]
    var repeats: Int
    var warmSft: Int
    var config: TrainConfig

    enum CodingKeys: String, CodingKey { case methods, repeats, warmSft = "warm_sft", config }
}
