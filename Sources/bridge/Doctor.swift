import ArgumentParser
import Foundation
import TensorCore

/// `bridge doctor`: which numerics libraries this binary really uses, on which CPU, with which
/// OpenBLAS kernels and why.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the CPU, OpenBLAS build and core (and why that core), the library cblas_sgemm resolved to, GSL and Swift versions.",
        discussion: """
            BRIDGE_BLAS_CORE=auto (default) replaces a generic OpenBLAS fallback (e.g. Prescott on a CPU this \
            OpenBLAS does not know) by the best core the CPU and the build support; keep leaves OpenBLAS's \
            choice; a core name (SkylakeX, Haswell, Zen, …) asks for that core. An OPENBLAS_CORETYPE already \
            set in the environment is never changed. See docs/kernels.md.
            """
    )

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @Flag(name: .long, help: "Exit non-zero when a generic OpenBLAS core runs on a CPU that supports a better one.")
    var strict = false

    @Flag(name: .customLong("export-env"),
          help: "Print only the shell `export` lines that give another process (a test runner) this core; nothing when OpenBLAS's own choice stands.")
    var exportEnv = false

    /// Who chose the kernel generation: BRIDGE_KERNELS, or this build's default (and how to get the other).
    func kernelsChosenBy(_ kernels: KernelGeneration) -> String {
        let v = KernelGeneration.variable
        if let set = ProcessInfo.processInfo.environment[v], !set.isEmpty { return "\(v)=\(set)" }
        let earlier = KernelGeneration.allCases.filter { $0 != kernels }.map(\.description).joined(separator: " or ")
        return kernels == .latest ? "the default; \(v)=\(earlier) for an earlier one"
                                  : "this portable build's default; \(v)=latest for \(KernelGeneration.latest)"
    }

    func run() throws {
        if exportEnv {
            for line in BLASCoreSetup.exportLines() { print(line) }
            return
        }
        let p = NumericsProvenance.current()
        let cpuFlags = CPUInfo.current()?.presentFlagsThatMatter.joined(separator: " ") ?? "(unknown)"
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(p), as: UTF8.self))
        } else {
            let core = p.blasCore
            let rows: [(String, String)] = [
                ("CPU", p.cpu),
                ("CPU flags", cpuFlags),
                ("OpenBLAS config", p.openblasConfig),
                ("OpenBLAS choice", core.openblasChoice),
                ("OpenBLAS core", "\(core.inUse) (chosen by \(core.source.rawValue))"),
                ("why", core.reason),
                ("best for CPU", core.bestForCPU ?? "(none better than generic)"),
                ("cblas_sgemm from", p.sgemmLibrary.isEmpty ? "(unknown)" : p.sgemmLibrary),
                ("BLAS threads", String(p.blasThreads)),
                ("GSL version", p.gslVersion),
                ("Swift", p.swiftVersion),
                ("build", p.buildConfiguration),
                ("code generation", p.codeGeneration),
                ("kernels", "generation \(p.kernels): \(p.kernels.summary) (\(kernelsChosenBy(p.kernels)))"),
            ]
            for (k, v) in rows { print(k.padding(toLength: 18, withPad: " ", startingAt: 0) + v) }
        }
        if let warning = p.blasCore.warning {
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
        guard BLAS.isOpenBLAS else {
            throw ValidationError("""
                cblas_sgemm resolved to '\(p.sgemmLibrary)', not OpenBLAS: matrix products would run on a slow \
                reference BLAS. Fix: install libopenblas-dev (apt-get install libopenblas-dev) and rebuild; \
                make sure libopenblas is linked before gsl (see Package.swift).
                """)
        }
        if strict, p.blasCore.warning != nil {
            FileHandle.standardError.write(Data("Error: --strict: a generic OpenBLAS core runs (see the warning above).\n".utf8))
            throw ExitCode.failure
        }
    }
}
