import ArgumentParser
import Foundation
import TensorCore

/// `bridge doctor`: which numerics libraries this binary really uses.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the OpenBLAS build and core, the library cblas_sgemm resolved to, GSL and Swift versions."
    )

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let p = NumericsProvenance.current()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(p), as: UTF8.self))
        } else {
            let rows: [(String, String)] = [
                ("OpenBLAS config", p.openblasConfig),
                ("OpenBLAS core", p.openblasCore),
                ("cblas_sgemm from", p.sgemmLibrary.isEmpty ? "(unknown)" : p.sgemmLibrary),
                ("BLAS threads", String(p.blasThreads)),
                ("GSL version", p.gslVersion),
                ("Swift", p.swiftVersion),
                ("build", p.buildConfiguration),
                ("code generation", p.codeGeneration),
            ]
            for (k, v) in rows { print(k.padding(toLength: 18, withPad: " ", startingAt: 0) + v) }
        }
        guard BLAS.isOpenBLAS else {
            throw ValidationError("""
                cblas_sgemm resolved to '\(p.sgemmLibrary)', not OpenBLAS: matrix products would run on a slow \
                reference BLAS. Fix: install libopenblas-dev (apt-get install libopenblas-dev) and rebuild; \
                make sure libopenblas is linked before gsl (see Package.swift).
                """)
        }
    }
}
