import BridgeSupport

/// OpenBLAS's x86-64 kernel families, by the names `openblas_get_corename()` prints and
/// OPENBLAS_CORETYPE accepts (case-insensitively).
public enum OpenBLASCore: String, CaseIterable, Sendable {
    case katmai = "Katmai", coppermine = "Coppermine", northwood = "Northwood", prescott = "Prescott"
    case banias = "Banias", atom = "Atom", core2 = "Core2", penryn = "Penryn", dunnington = "Dunnington"
    case nehalem = "Nehalem", athlon = "Athlon", opteron = "Opteron", opteronSSE3 = "Opteron_SSE3"
    case barcelona = "Barcelona", nano = "Nano", bobcat = "Bobcat"
    case sandybridge = "Sandybridge", bulldozer = "Bulldozer", piledriver = "Piledriver"
    case steamroller = "Steamroller", excavator = "Excavator"
    case haswell = "Haswell", zen = "Zen"
    case skylakeX = "SkylakeX", cooperlake = "Cooperlake", sapphireRapids = "SapphireRapids"

    /// The instructions the family's SGEMM kernels need. Bulldozer…Excavator have FMA4/FMA3 but their
    /// kernels are AVX-width; Cooperlake and SapphireRapids share SkylakeX's SGEMM kernels.
    public var tier: ISATier {
        switch self {
        case .sandybridge, .bulldozer, .piledriver, .steamroller, .excavator: .avx
        case .haswell, .zen: .avx2
        case .skylakeX, .cooperlake, .sapphireRapids: .avx512
        default: .generic
        }
    }

    /// The exported table a DYNAMIC_ARCH build holds for this family; present only if the build has it.
    public var symbol: String { "gotoblas_" + rawValue.uppercased() }

    /// Matches OpenBLAS's own spelling rule: case-insensitive.
    public init?(name: String) {
        guard let c = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else { return nil }
        self = c
    }
}

/// What BRIDGE_BLAS_CORE asks for: `auto` (default: replace a generic fallback by the best core the CPU
/// and the build support), `keep` (OpenBLAS's own choice), or a core name.
public enum BLASCorePolicy: Equatable, Sendable {
    case auto, keep, core(OpenBLASCore)

    public static let variable = "BRIDGE_BLAS_CORE"

    /// nil or empty means auto; anything unknown is an error naming the nearest valid value.
    public static func parse(_ text: String?) throws -> BLASCorePolicy {
        guard let text, !text.isEmpty else { return .auto }
        switch text.lowercased() {
        case "auto": return .auto
        case "keep": return .keep
        default:
            if let core = OpenBLASCore(name: text) { return .core(core) }
            let valid = ["auto", "keep"] + OpenBLASCore.allCases.map(\.rawValue)
            let hint = NearestKey.find(text, in: valid).map { " (did you mean '\($0)'?)" } ?? ""
            throw BLASCoreError("""
                \(variable)=\(text) is not a valid value\(hint). Fix: set it to auto, keep or one of \
                \(OpenBLASCore.allCases.map(\.rawValue).joined(separator: ", ")), or unset it.
                """)
        }
    }
}

public struct BLASCoreError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Who decided the core that runs.
public enum BLASCoreSource: String, Codable, Sendable {
    /// OpenBLAS's own detection, untouched.
    case openblas
    /// OPENBLAS_CORETYPE was already set by the user or the machine: never changed.
    case environment
    /// `bridge` replaced a generic fallback (BRIDGE_BLAS_CORE=auto).
    case bridgeAuto = "bridge-auto"
    /// `bridge` set the core the user named in BRIDGE_BLAS_CORE.
    case bridgeUser = "bridge-user"
    /// `bridge study verify` set the core the verified study was computed with.
    case bridgeVerify = "bridge-verify"
}

/// The pure decision: which core (if any) a process should restart with, and why. Kept free of the
/// environment and the machine so that a test can feed it any CPU, build and setting.
public struct BLASCoreDecision: Equatable, Sendable {
    /// The core to put into OPENBLAS_CORETYPE before OpenBLAS loads again; nil: keep what runs.
    public var request: OpenBLASCore?
    public var source: BLASCoreSource
    public var reason: String

    /// - Parameters:
    ///   - openblasChoice: `openblas_get_corename()` of this process (OpenBLAS's own choice when
    ///     OPENBLAS_CORETYPE is unset).
    ///   - environmentCoreType: OPENBLAS_CORETYPE as set before `bridge` ran, if any.
    ///   - dynamicArch: the build selects kernels at run time (DYNAMIC_ARCH in openblas_get_config()).
    ///   - available: whether this build contains a kernel family.
    public static func decide(
        policy: BLASCorePolicy, environmentCoreType: String?, openblasChoice: String, cpu: CPUInfo?,
        dynamicArch: Bool, available: (OpenBLASCore) -> Bool
    ) throws -> BLASCoreDecision {
        if let set = environmentCoreType, !set.isEmpty {
            var reason = "OPENBLAS_CORETYPE=\(set) was set before bridge started; a value from the user or the machine is never changed"
            if case .core(let asked) = policy, asked.rawValue.lowercased() != set.lowercased() {
                reason += " (\(BLASCorePolicy.variable)=\(asked.rawValue) is ignored)"
            }
            return BLASCoreDecision(request: nil, source: .environment, reason: reason)
        }
        guard dynamicArch else {
            return BLASCoreDecision(request: nil, source: .openblas,
                                    reason: "this OpenBLAS is not a DYNAMIC_ARCH build: its kernels are fixed at compile time")
        }
        switch policy {
        case .keep:
            return BLASCoreDecision(request: nil, source: .openblas, reason: "\(BLASCorePolicy.variable)=keep: OpenBLAS's own choice")
        case .core(let core):
            guard available(core) else {
                let have = OpenBLASCore.allCases.filter(available).map(\.rawValue).joined(separator: ", ")
                throw BLASCoreError("""
                    \(BLASCorePolicy.variable)=\(core.rawValue): this OpenBLAS build has no \(core.rawValue) kernels. \
                    Fix: choose one it has (\(have)), or auto.
                    """)
            }
            if let cpu, core.tier > cpu.tier {
                throw BLASCoreError("""
                    \(BLASCorePolicy.variable)=\(core.rawValue) needs \(core.tier) but this CPU (\(cpu.modelName)) \
                    supports up to \(cpu.tier): its kernels would stop on an illegal instruction. Fix: choose a core \
                    of tier \(cpu.tier) or lower, or auto.
                    """)
            }
            if core.rawValue.lowercased() == openblasChoice.lowercased() {
                return BLASCoreDecision(request: nil, source: .bridgeUser, reason: "\(BLASCorePolicy.variable)=\(core.rawValue), OpenBLAS's own choice too")
            }
            return BLASCoreDecision(request: core, source: .bridgeUser, reason: "\(BLASCorePolicy.variable)=\(core.rawValue)")
        case .auto:
            let chosenTier = OpenBLASCore(name: openblasChoice)?.tier ?? .generic
            if chosenTier == .avx512, let cpu, cpu.halvesAVX512, let best = bestCore(for: cpu, available: available),
               best.tier < .avx512 {
                return BLASCoreDecision(request: best, source: .bridgeAuto, reason: """
                    OpenBLAS chose \(openblasChoice) (AVX-512), but this CPU (\(cpu.vendor) family \(cpu.family), Zen 4) \
                    runs 512-bit instructions as two 256-bit halves, where OpenBLAS's \(best.rawValue) kernels are faster, \
                    so \(best.rawValue)
                    """)
            }
            guard chosenTier == .generic, let cpu, let best = bestCore(for: cpu, available: available), best.tier > chosenTier else {
                return BLASCoreDecision(request: nil, source: .openblas,
                                        reason: "OpenBLAS chose \(openblasChoice), not a generic fallback for this CPU")
            }
            return BLASCoreDecision(request: best, source: .bridgeAuto, reason: """
                OpenBLAS chose \(openblasChoice), a generic fallback (it does not know CPU family \(cpu.family) \
                model \(cpu.model)); the CPU has \(cpu.tier), so \(best.rawValue)
                """)
        }
    }

    /// The fastest family for this CPU that the build has: SkylakeX for AVX-512F/BW/DQ/VL (Cooperlake's
    /// SGEMM kernels are SkylakeX's), Zen on AMD/Hygon and Haswell elsewhere for AVX2+FMA, Sandybridge for
    /// AVX; a lower tier when the build lacks the higher one. nil on a CPU without AVX. On a CPU that halves
    /// AVX-512 (Zen 4) the AVX2 tier, Haswell first: measured faster there (docs/kernels.md).
    public static func bestCore(for cpu: CPUInfo, available: (OpenBLASCore) -> Bool) -> OpenBLASCore? {
        let amd = cpu.vendor == "AuthenticAMD" || cpu.vendor == "HygonGenuine"
        let byTier: [(ISATier, [OpenBLASCore])] = [
            (.avx512, cpu.halvesAVX512 ? [] : [.skylakeX, .cooperlake]),
            (.avx2, amd && !cpu.halvesAVX512 ? [.zen, .haswell] : [.haswell, .zen]),
            (.avx, [.sandybridge]),
        ]
        for (tier, cores) in byTier where tier <= cpu.tier {
            if let core = cores.first(where: available) { return core }
        }
        return nil
    }
}
