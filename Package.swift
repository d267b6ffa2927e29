// swift-tools-version:6.0
import PackageDescription
import Foundation

// Native code generation, as llm.c builds with -march=native: on an x86-64 Linux build machine whose CPU
// has AVX2 and FMA, every Swift target is compiled for `-target-cpu haswell` (AVX2/FMA/BMI2; swiftc does
// not accept x86-64-v3). Swift never contracts a·b + c into an FMA and the kernels fix their reduction
// order, so the numbers are bitwise the same as the portable build's (checked, see docs/gpt.md), only
// faster. BRIDGE_PORTABLE=1 builds for the baseline x86-64 CPU instead. BRIDGE_CODEGEN_HASWELL tells
// `bridge doctor` which one this binary is.
func nativeCodeGeneration() -> [SwiftSetting] {
    #if os(Linux) && arch(x86_64)
    if ProcessInfo.processInfo.environment["BRIDGE_PORTABLE"] == "1" { return [] }
    guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
    let flags = Set(flagsLine.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }).map(String.init))
    guard flags.contains("avx2") && flags.contains("fma") else { return [] }
    return [.unsafeFlags(["-target-cpu", "haswell"]), .define("BRIDGE_CODEGEN_HASWELL")]
    #else
    return []
    #endif
}
let codegen = nativeCodeGeneration()

// Module dependencies are exactly the imports (checked by Tests/BridgeSupportTests/PackageImportsTests):
//   BridgeSupport (config, CSV, hashing, files)        <- every module
//   CNumerics (C shim: OpenBLAS + GSL, the vector fused multiply-add) <- TensorCore (kernels, BLAS core
//   selection) and its tests
//   TensorCore <- GPT, Tasks;  GPT + Tasks <- Training;  GPT + TensorCore + CNumerics <- Theory
//   TensorCore + CNumerics <- Studies (runs training and theory in worker processes of the bridge
//   binary, so it links neither)
//   bridge (the CLI) <- all of them.
let package = Package(
    name: "BridgeTestbed",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bridge", targets: ["bridge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // C shim: GSL headers (gsl_cblas.h gives the cblas_* prototypes) + OpenBLAS extras + dladdr.
        // openblas is linked before gsl so that cblas_* resolve to OpenBLAS, not libgslcblas.
        .target(
            name: "CNumerics",
            linkerSettings: [.linkedLibrary("openblas"), .linkedLibrary("gsl"), .linkedLibrary("m")]
        ),
        .target(name: "BridgeSupport", dependencies: [.product(name: "Yams", package: "Yams")], swiftSettings: codegen),
        .target(name: "TensorCore", dependencies: ["CNumerics", "BridgeSupport"], swiftSettings: codegen),
        .target(name: "GPT", dependencies: ["TensorCore", "BridgeSupport"], swiftSettings: codegen),
        .target(name: "Tasks", dependencies: ["TensorCore", "BridgeSupport"], swiftSettings: codegen),
        .target(name: "Training", dependencies: ["GPT", "Tasks", "TensorCore", "BridgeSupport"], swiftSettings: codegen),
        .target(name: "Theory", dependencies: ["GPT", "TensorCore", "CNumerics", "BridgeSupport"], swiftSettings: codegen),
        .target(name: "Studies", dependencies: ["TensorCore", "CNumerics", "BridgeSupport"], swiftSettings: codegen),
        .executableTarget(
            name: "bridge",
            dependencies: [
                "Studies", "Training", "Theory", "Tasks", "GPT", "TensorCore", "BridgeSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: codegen
        ),
        .testTarget(name: "BridgeSupportTests", dependencies: ["BridgeSupport"], swiftSettings: codegen),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "CNumerics"], swiftSettings: codegen),
        .testTarget(name: "GPTTests", dependencies: ["GPT", "TensorCore"], exclude: ["reference_gpt.py", "hf_check.py"], swiftSettings: codegen),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "TensorCore"], swiftSettings: codegen),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "GPT", "Tasks", "TensorCore", "BridgeSupport"], swiftSettings: codegen),
        .testTarget(name: "TheoryTests", dependencies: ["Theory", "GPT", "TensorCore", "BridgeSupport"], swiftSettings: codegen),
        .testTarget(name: "StudiesTests", dependencies: ["Studies", "BridgeSupport"], swiftSettings: codegen),
        // CLITests runs the bridge binary (the dependency builds it first) and imports only BridgeSupport.
        .testTarget(name: "CLITests", dependencies: ["bridge", "BridgeSupport"], swiftSettings: codegen),
    ]
)
