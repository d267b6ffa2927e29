import Foundation

/// The CPU facts that decide which OpenBLAS kernels can run: vendor, family/model (what OpenBLAS's own
/// detection keys on) and the instruction-set flags the kernel families need. Read from /proc/cpuinfo,
/// whose flags the kernel already clears for features the OS does not enable (e.g. AVX-512 without
/// XSAVE support), so a flag listed there is safe to execute.
public struct CPUInfo: Sendable, Equatable {
    public var vendor: String
    public var family: Int
    public var model: Int
    public var modelName: String
    public var flags: Set<String>

    public init(vendor: String, family: Int, model: Int, modelName: String, flags: Set<String>) {
        self.vendor = vendor
        self.family = family
        self.model = model
        self.modelName = modelName
        self.flags = flags
    }

    /// The flags, in this order, that separate the OpenBLAS kernel tiers (shown by `bridge doctor`).
    public static let flagsThatMatter = ["sse3", "ssse3", "sse4_2", "avx", "fma", "avx2",
                                         "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_bf16"]

    /// The highest kernel tier whose instructions this CPU executes.
    public var tier: ISATier {
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return .avx512 }
        if flags.contains("avx2") && flags.contains("fma") { return .avx2 }
        if flags.contains("avx") { return .avx }
        return .generic
    }

    /// AMD family 25 with AVX-512 (Zen 4): its AVX-512 instructions run as two 256-bit halves, so
    /// OpenBLAS's AVX-512 kernels gain nothing from their width there, and its AVX2 kernels ran faster
    /// (docs/kernels.md). Family 26 (Zen 5) is not included: some of its parts have full 512-bit units.
    public var halvesAVX512: Bool {
        (vendor == "AuthenticAMD" || vendor == "HygonGenuine") && family == 25 && tier == .avx512
    }

    /// The flags of `flagsThatMatter` this CPU has, in that order.
    public var presentFlagsThatMatter: [String] { Self.flagsThatMatter.filter(flags.contains) }

    /// Parses the first processor block of a /proc/cpuinfo text; nil when it has no flags line (not x86).
    public static func parse(_ text: String) -> CPUInfo? {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { if !fields.isEmpty { break } else { continue } }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if fields[key] == nil { fields[key] = value }
        }
        guard let flagsText = fields["flags"] else { return nil }
        return CPUInfo(
            vendor: fields["vendor_id"] ?? "",
            family: Int(fields["cpu family"] ?? "") ?? -1,
            model: Int(fields["model"] ?? "") ?? -1,
            modelName: fields["model name"] ?? "",
            flags: Set(flagsText.split(separator: " ").map(String.init))
        )
    }

    /// This machine's CPU (nil where /proc/cpuinfo is missing or has no x86 flags).
    public static func current() -> CPUInfo? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        return parse(text)
    }
}

/// Instruction-set tiers of OpenBLAS's x86-64 kernel families, lowest first.
public enum ISATier: Int, Comparable, Sendable, CustomStringConvertible {
    case generic = 0, avx, avx2, avx512

    public static func < (a: ISATier, b: ISATier) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .generic: "SSE (no AVX)"
        case .avx: "AVX"
        case .avx2: "AVX2+FMA"
        case .avx512: "AVX-512F/BW/DQ/VL"
        }
    }
}
