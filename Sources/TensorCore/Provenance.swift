import CNumerics
import Foundation

/// What produced a number: recorded in manifests and result files so a figure can be traced to its
/// BLAS build, toolchain and host.
public struct NumericsProvenance: Codable, Sendable {
    public var openblasConfig: String
    public var openblasCore: String
    public var blasThreads: Int
    public var sgemmLibrary: String
    public var gslVersion: String
    public var swiftVersion: String
    public var buildConfiguration: String
    /// CPU the Swift code was compiled for: "haswell (AVX2, FMA)" by default on an AVX2+FMA x86-64 build
    /// machine, "portable" with BRIDGE_PORTABLE=1 or elsewhere (see Package.swift).
    public var codeGeneration: String
    /// The CPU the numbers were computed on ("model name" of /proc/cpuinfo, with family and model).
    public var cpu: String
    /// Which OpenBLAS core runs, who chose it and why (see BLASCoreSetup).
    public var blasCore: BLASCoreSelection
    /// The generation of this project's own kernels (`KernelGeneration`, BRIDGE_KERNELS).
    public var kernels: KernelGeneration

    enum CodingKeys: String, CodingKey {
        case openblasConfig = "openblas_config", openblasCore = "openblas_core", blasThreads = "blas_threads"
        case sgemmLibrary = "sgemm_library", gslVersion = "gsl_version", swiftVersion = "swift_version"
        case buildConfiguration = "build_configuration", codeGeneration = "code_generation"
        case cpu, blasCore = "blas_core", kernels
    }

    public static func current() -> NumericsProvenance {
        NumericsProvenance(
            openblasConfig: BLAS.config.trimmingCharacters(in: .whitespaces),
            openblasCore: BLAS.coreName,
            blasThreads: BLAS.threads,
            sgemmLibrary: BLAS.sgemmLibrary,
            gslVersion: String(cString: cnumerics_gsl_version()),
            swiftVersion: swiftCompilerVersion,
            buildConfiguration: buildConfiguration,
            codeGeneration: codeGeneration,
            cpu: cpuDescription,
            blasCore: BLASCoreSetup.current(),
            kernels: KernelGeneration.current
        )
    }

    /// "AMD EPYC (vendor AuthenticAMD, family 25, model 17)", or "unknown" off x86 Linux.
    public static var cpuDescription: String {
        guard let c = CPUInfo.current() else { return "unknown" }
        return "\(c.modelName) (vendor \(c.vendor), family \(c.family), model \(c.model))"
    }

    public static var buildConfiguration: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }

    /// Set at compile time by Package.swift's -D define next to `-target-cpu haswell`.
    public static var codeGeneration: String {
        #if BRIDGE_CODEGEN_HASWELL
        return "haswell (AVX2, FMA; native default, BRIDGE_PORTABLE=1 for portable)"
        #else
        return "portable (baseline CPU of the target)"
        #endif
    }

    public static var swiftCompilerVersion: String {
        #if compiler(>=6.3)
        return "6.3+"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }
}
