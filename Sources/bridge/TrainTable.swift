import ArgumentParser
import BridgeSupport
import Foundation
import TensorCore
import Training

/// `bridge train-table`: every method (the seven of method.md, chord and luffy) at one config, then the comparison table (CSV + Markdown).
struct TrainTable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-table",
        abstract: "Run base, sft, rl_zero, cold_start, alternating, mix, bridge, chord and luffy at one config; write DIR/table.csv.",
        discussion: "Each run goes to DIR/<method> (finished runs are reused, interrupted ones resume). Same config keys as `bridge train`."
    )

    @Option(name: .long, help: "YAML config file.")
    var config: String?

    @Option(name: .long, help: "Output directory.")
    var out: String = "results/train-table"

    @Option(name: .long, help: "Comma-separated subset of methods (default: all seven).")
    var methods: String = TrainConfig.methods.joined(separator: ",")

    @Flag(name: .long, help: "No progress lines.")
    var quiet = false

    @Argument(help: "Overrides key.path=value.")
    var overrides: [String] = []

    func validate() throws {
        for m in methods.split(separator: ",") where !TrainConfig.methods.contains(String(m)) {
            throw ValidationError("unknown method '\(m)'; use some of \(TrainConfig.methods.joined(separator: ","))")
        }
    }

    func run() throws {
        BLAS.threads = 1
        let cfg = try Train.loadConfig(file: config, method: nil, overrides: overrides)
        let quiet = self.quiet
        let table = try MethodTable.run(config: cfg, methods: methods.split(separator: ",").map(String.init),
                                        outDir: URL(fileURLWithPath: out),
                                        progress: { s, n, text in if !quiet { FileHandle.standardError.write(Data("step \(s)/\(n) \(text)\n".utf8)) } },
                                        log: { line in if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) } })
        print(MethodTable.markdown(table), terminator: "")
        print("table: \(out)/table.csv")
    }
}
