import BridgeSupport
import CNumerics
import Foundation

/// The core a process runs, who chose it and why: printed by `bridge doctor` and recorded with every
/// result (NumericsProvenance).
public struct BLASCoreSelection: Codable, Sendable, Equatable {
    /// What OpenBLAS detects by itself on this CPU (before any OPENBLAS_CORETYPE bridge set).
    public var openblasChoice: String
    /// `openblas_get_corename()` of this process.
    public var inUse: String
    public var source: BLASCoreSource
    public var reason: String
    /// Set when a generic core runs on a CPU that supports a better one this build has.
    public var warning: String?
    /// The best core for this CPU in this build (nil: no AVX, or not x86).
    public var bestForCPU: String?

    enum CodingKeys: String, CodingKey {
        case openblasChoice = "openblas_choice", inUse = "in_use", source, reason, warning
        case bestForCPU = "best_for_cpu"
    }
}

/// Applies BRIDGE_BLAS_CORE to a process. OpenBLAS reads OPENBLAS_CORETYPE once, when it is loaded, so a
/// different core needs a fresh image: `prepareProcess()` sets the variable and re-executes the binary
/// once. The variables below carry the choice to the new image and to every worker it starts, which
/// therefore run the same core without deciding again.
public enum BLASCoreSetup {
    /// The core bridge put into OPENBLAS_CORETYPE (marks the value as bridge's, not the user's).
    static let setVariable = "BRIDGE_BLAS_CORE_SET"
    static let choiceVariable = "BRIDGE_BLAS_CORE_OPENBLAS_CHOICE"
    static let sourceVariable = "BRIDGE_BLAS_CORE_SOURCE"
    static let reasonVariable = "BRIDGE_BLAS_CORE_REASON"
    static let coreTypeVariable = "OPENBLAS_CORETYPE"

    /// Whether this OpenBLAS build contains a kernel family (its gotoblas_<NAME> table is exported).
    public static func buildHas(_ core: OpenBLASCore) -> Bool {
        !String(cString: cnumerics_symbol_library(core.symbol)).isEmpty
    }

    public static var isDynamicArch: Bool { BLAS.config.contains("DYNAMIC_ARCH") }

    /// Called first thing by `bridge`: re-executes the process with a better OPENBLAS_CORETYPE when the
    /// policy asks for one; returns when nothing is to change (or re-execution failed, with a warning).
    /// Throws when BRIDGE_BLAS_CORE is invalid for this CPU or build.
    public static func prepareProcess(environment env: [String: String] = ProcessInfo.processInfo.environment) throws {
        #if os(Linux)
        if let set = env[setVariable], !set.isEmpty, env[coreTypeVariable] == set { return } // already applied
        let decision = try BLASCoreDecision.decide(
            policy: try BLASCorePolicy.parse(env[BLASCorePolicy.variable]),
            environmentCoreType: env[coreTypeVariable], openblasChoice: BLAS.coreName, cpu: CPUInfo.current(),
            dynamicArch: isDynamicArch, available: buildHas)
        guard let core = decision.request else { return }
        let why = reexecute(on: core, openblasChoice: BLAS.coreName, source: decision.source, reason: decision.reason, environment: env)
        // Only reached when exec failed: run on with OpenBLAS's own core and say so.
        FileHandle.standardError.write(Data("""
            warning: could not restart with OPENBLAS_CORETYPE=\(core.rawValue) (\(why)); running on \(BLAS.coreName). \
            Fix: export OPENBLAS_CORETYPE=\(core.rawValue) before running bridge.\n
            """.utf8))
        #endif
    }

    #if os(Linux)
    /// Sets OPENBLAS_CORETYPE and bridge's markers and re-executes this binary with its arguments. Returns
    /// only when exec failed: the reason, with the variables put back as they were.
    static func reexecute(on core: OpenBLASCore, openblasChoice: String, source: BLASCoreSource, reason: String,
                          environment env: [String: String]) -> String {
        let markers = [(coreTypeVariable, core.rawValue), (setVariable, core.rawValue), (choiceVariable, openblasChoice),
                       (sourceVariable, source.rawValue), (reasonVariable, reason)]
        for (k, v) in markers { setenv(k, v, 1) }
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        let why = String(cString: strerror(errno))
        for (k, _) in markers {
            if let old = env[k] { setenv(k, old, 1) } else { unsetenv(k) }
        }
        return why
    }
    #endif

    /// Restarts this process on `core` (`study verify`: the core the study was computed with, so that its
    /// bits can be compared) and does not return; returns why not when it cannot: the core runs already,
    /// an OPENBLAS_CORETYPE from the user or the machine (never changed), a static build, a build without
    /// the core, a CPU that cannot execute it, or a failed exec.
    public static func restart(on core: OpenBLASCore, reason: String,
                               environment env: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if BLAS.coreName.lowercased() == core.rawValue.lowercased() { return nil }
        let bridgeSet = env[setVariable].map { !$0.isEmpty && env[coreTypeVariable] == $0 } ?? false
        if let set = env[coreTypeVariable], !set.isEmpty, !bridgeSet {
            return "OPENBLAS_CORETYPE=\(set) was set before bridge started and is kept, so \(core.rawValue) does not run"
        }
        guard isDynamicArch else { return "this OpenBLAS is not a DYNAMIC_ARCH build: it cannot run \(core.rawValue)" }
        guard buildHas(core) else { return "this OpenBLAS build has no \(core.rawValue) kernels" }
        if let cpu = CPUInfo.current(), core.tier > cpu.tier { return "this CPU cannot execute \(core.rawValue) (\(core.tier))" }
        #if os(Linux)
        let choice = bridgeSet ? (env[choiceVariable] ?? BLAS.coreName) : BLAS.coreName
        let why = reexecute(on: core, openblasChoice: choice, source: .bridgeVerify, reason: reason, environment: env)
        return "could not restart with OPENBLAS_CORETYPE=\(core.rawValue) (\(why))"
        #else
        return "restarting on another core needs Linux"
        #endif
    }

    /// The selection in force in this process, whether or not `prepareProcess` ran in it (a test process
    /// that inherited bridge's variables, or none, reports correctly too).
    public static func current(environment env: [String: String] = ProcessInfo.processInfo.environment) -> BLASCoreSelection {
        let inUse = BLAS.coreName
        let cpu = CPUInfo.current()
        let best = cpu.flatMap { BLASCoreDecision.bestCore(for: $0, available: buildHas) }
        var selection: BLASCoreSelection
        if let set = env[setVariable], !set.isEmpty, env[coreTypeVariable] == set {
            var reason = env[reasonVariable] ?? ""
            if inUse.lowercased() != set.lowercased() { reason += "; OpenBLAS was asked for \(set) but runs \(inUse)" }
            selection = BLASCoreSelection(
                openblasChoice: env[choiceVariable] ?? "", inUse: inUse,
                source: BLASCoreSource(rawValue: env[sourceVariable] ?? "") ?? .bridgeAuto, reason: reason,
                warning: nil, bestForCPU: best?.rawValue)
        } else {
            let environmentValue = env[coreTypeVariable].flatMap { $0.isEmpty ? nil : $0 }
            let decision = try? BLASCoreDecision.decide(
                policy: (try? BLASCorePolicy.parse(env[BLASCorePolicy.variable])) ?? .auto,
                environmentCoreType: environmentValue, openblasChoice: inUse, cpu: cpu,
                dynamicArch: isDynamicArch, available: buildHas)
            selection = BLASCoreSelection(
                openblasChoice: environmentValue == nil ? inUse : "(not detected: OPENBLAS_CORETYPE set)",
                inUse: inUse, source: environmentValue == nil ? .openblas : .environment,
                reason: decision?.reason ?? "", warning: nil, bestForCPU: best?.rawValue)
            if environmentValue == nil, let core = decision?.request {
                selection.reason = "this process did not start through bridge; " + selection.reason
                    + " would run with OPENBLAS_CORETYPE=\(core.rawValue)"
            }
        }
        if let cpu, let best, (OpenBLASCore(name: inUse)?.tier ?? .generic) == .generic, best.tier > .generic {
            selection.warning = """
                OpenBLAS runs the generic \(inUse) kernels on a CPU with \(cpu.tier) (matrix products several times \
                slower). Fix: unset OPENBLAS_CORETYPE and let bridge choose, or set OPENBLAS_CORETYPE=\(best.rawValue)
                """
        }
        return selection
    }

    /// Shell lines that give another process (a test runner) the core this process runs:
    /// `export OPENBLAS_CORETYPE=…` and bridge's markers, or nothing when OpenBLAS's own choice stands.
    public static func exportLines(environment env: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        guard let set = env[setVariable], !set.isEmpty, env[coreTypeVariable] == set else { return [] }
        return [coreTypeVariable, setVariable, choiceVariable, sourceVariable, reasonVariable].compactMap { k in
            env[k].map { "export \(k)=\(Shell.quoted($0))" }
        }
    }

    /// `env` without the core bridge chose for this machine (OPENBLAS_CORETYPE and bridge's markers, when
    /// bridge set them): what jobs on other machines (a Slurm array) inherit, so that bridge there chooses
    /// for its own CPU. An OPENBLAS_CORETYPE the user or the machine set is kept.
    public static func environmentForOtherMachines(_ env: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        guard let set = env[setVariable], !set.isEmpty, env[coreTypeVariable] == set else { return env }
        var out = env
        for k in [coreTypeVariable, setVariable, choiceVariable, sourceVariable, reasonVariable] { out[k] = nil }
        return out
    }

}
