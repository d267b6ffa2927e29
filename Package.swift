// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: CNumerics <- TensorCore <- GPT <- Training <- Studies <- bridge.
// Tasks and Theory sit beside GPT; BridgeSupport (config, CSV, hashing, files) is under everything.
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
        .target(name: "BridgeSupport", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "TensorCore", dependencies: ["CNumerics", "BridgeSupport"]),
        .target(name: "GPT", dependencies: ["TensorCore", "BridgeSupport"]),
        .target(name: "Tasks", dependencies: ["TensorCore", "BridgeSupport"]),
        .target(name: "Training", dependencies: ["GPT", "Tasks", "TensorCore", "BridgeSupport"]),
        .target(name: "Theory", dependencies: ["GPT", "TensorCore", "CNumerics", "BridgeSupport"]),
        .target(name: "Studies", dependencies: ["Training", "Theory", "CNumerics", "BridgeSupport"]),
        .executableTarget(
            name: "bridge",
            dependencies: [
                "Studies", "Training", "Theory", "Tasks", "GPT", "TensorCore", "CNumerics", "BridgeSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "BridgeSupportTests", dependencies: ["BridgeSupport"]),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "CNumerics"]),
        .testTarget(name: "GPTTests", dependencies: ["GPT", "TensorCore"]),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "TensorCore"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "GPT", "Tasks", "TensorCore"]),
        .testTarget(name: "TheoryTests", dependencies: ["Theory", "TensorCore", "CNumerics"]),
        .testTarget(name: "StudiesTests", dependencies: ["Studies", "BridgeSupport"]),
        .testTarget(name: "CLITests", dependencies: ["bridge"]),
    ]
)
