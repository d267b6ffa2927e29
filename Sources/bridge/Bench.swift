import ArgumentParser

/// `bridge bench`: throughput benchmarks that write CSV files (never timed tests).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks (results written to CSV).",
        subcommands: [BenchKernels.self, BenchCores.self, BenchModel.self, BenchMethods.self]
    )
}
