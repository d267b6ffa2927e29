import BridgeSupport

/// Where and how `bridge study submit` asks Slurm to run a study's tasks: from the spec's `slurm:`
/// section, then the chosen preset's `slurm:`, then command-line flags (each layer overrides the one
/// before). Never part of the spec hash or the run ids: it changes where runs execute, not what they
/// compute, so moving a study between a laptop and a cluster keeps every finished run.
public struct SlurmOptions: Sendable, Equatable {
    /// `--partition` (nil: the cluster's default partition).
    public var partition: String?
    /// `--time` of every task: the wall-time limit of one run (and of the base-model and collect jobs).
    /// Slurm's formats: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS. nil: the partition's default.
    public var time: String?
    /// `--cpus-per-task`. Default 1: every run computes on one BLAS thread (same bytes as a local study),
    /// so more CPUs buy a run nothing; OpenBLAS is still capped at the allocation (OPENBLAS_NUM_THREADS).
    public var cpusPerTask: Int?
    /// `--mem` per task (a number with an optional K, M, G or T suffix; Slurm reads a bare number as MB).
    public var memory: String?
    /// `--account` and `--qos` (nil: the user's defaults).
    public var account: String?
    public var qos: String?
    /// The array throttle `%N`: at most this many runs at once (nil: all pending runs may run at once).
    public var maxRunning: Int?
    /// More sbatch options, one per entry (`--constraint=avx2`, `--exclusive`). They accumulate over the
    /// layers, spec first; sbatch keeps the last of a repeated option, so a later layer still overrides.
    public var sbatchArgs: [String] = []

    public init() {}

    /// The keys of a `slurm:` section.
    public static let keys = ["partition", "time", "cpus_per_task", "mem", "account", "qos", "max_running", "sbatch_args"]

    /// Options bridge itself sets on every script: giving them would break the mapping of tasks to runs.
    static let reserved = ["--array", "--dependency", "--output", "--error", "--chdir", "--job-name", "--parsable", "--wrap", "-a", "-d", "-o", "-e", "-D", "-J"]

    /// Self with every option `other` sets replacing ours (sbatch arguments appended).
    public func overridden(by other: SlurmOptions) -> SlurmOptions {
        var out = self
        out.partition = other.partition ?? partition
        out.time = other.time ?? time
        out.cpusPerTask = other.cpusPerTask ?? cpusPerTask
        out.memory = other.memory ?? memory
        out.account = other.account ?? account
        out.qos = other.qos ?? qos
        out.maxRunning = other.maxRunning ?? maxRunning
        out.sbatchArgs = sbatchArgs + other.sbatchArgs
        return out
    }

    /// Parses a `slurm:` mapping strictly (unknown keys name the nearest valid one; values are checked).
    static func parse(_ value: ConfigValue, at path: String, _ r: SpecReader) throws -> SlurmOptions {
        var o = SlurmOptions()
        for (key, v) in try r.mapping(value, at: path, allowed: keys) {
            let p = SpecReader.join(path, key)
            func text() throws -> String {
                // YAML reads `time: 90` as a number; Slurm reads it as minutes.
                if case let .number(n) = v, n == n.rounded(), n >= 0 { return String(Int(n)) }
                return try r.string(v, at: p)
            }
            switch key {
            case "partition": o.partition = try r.string(v, at: p)
            case "time": o.time = try text()
            case "cpus_per_task": o.cpusPerTask = try r.int(v, at: p, minimum: 1)
            case "mem": o.memory = try text()
            case "account": o.account = try r.string(v, at: p)
            case "qos": o.qos = try r.string(v, at: p)
            case "max_running": o.maxRunning = try r.int(v, at: p, minimum: 1)
            default: o.sbatchArgs = try r.list(v, at: p).enumerated().map { i, a in try r.string(a, at: "\(p)[\(i)]") }
            }
        }
        if let problem = o.problem() {
            throw r.invalid(at: SpecReader.join(path, problem.key), problem.message, fix: problem.fix)
        }
        return o
    }

    /// The first invalid value (key of the `slurm:` section, what is wrong, the fix), nil when all are valid.
    public func problem() -> (key: String, message: String, fix: String)? {
        for (key, text) in [("partition", partition), ("account", account), ("qos", qos)] {
            if let text, text.isEmpty || text.contains(where: { $0.isWhitespace }) {
                return (key, "'\(text)' is not a Slurm \(key) name", "give the name without spaces, or leave \(key) out for the default")
            }
        }
        if let time, SlurmOptions.seconds(ofTime: time) == nil {
            return ("time", "'\(time)' is not a Slurm time limit",
                    "write minutes (90), HH:MM:SS (1:30:00) or D-HH:MM:SS (1-00:00:00)")
        }
        if let memory, !SlurmOptions.isMemory(memory) {
            return ("mem", "'\(memory)' is not a Slurm memory size", "write a number with an optional K, M, G or T suffix, e.g. 4G or 500M")
        }
        for arg in sbatchArgs {
            guard arg.hasPrefix("-"), !arg.contains("\n") else {
                return ("sbatch_args", "'\(arg)' is not an sbatch option", "write each option as it follows '#SBATCH ', e.g. --constraint=avx2")
            }
            let name = String(arg.split(separator: "=", maxSplits: 1).first ?? "").split(separator: " ").first.map(String.init) ?? arg
            if SlurmOptions.reserved.contains(name) {
                return ("sbatch_args", "bridge sets \(name) itself (it maps array tasks to runs and collects the study)",
                        "remove \(name); the other options pass through")
            }
        }
        return nil
    }

    /// Seconds of a Slurm time limit, nil when the text is not one (UNLIMITED and INFINITE give Int.max).
    public static func seconds(ofTime text: String) -> Int? {
        if text == "UNLIMITED" || text == "INFINITE" || text == "infinite" { return Int.max }
        var days = 0, rest = Substring(text)
        if let dash = text.firstIndex(of: "-") {
            guard let d = Int(text[..<dash]), d >= 0 else { return nil }
            days = d; rest = text[text.index(after: dash)...]
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard !parts.isEmpty, parts.count <= 3, parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
        let p = parts.map { $0! }
        let hasDays = text.contains("-")
        switch (hasDays, p.count) {
        case (false, 1): return p[0] * 60                                  // minutes
        case (false, 2): return p[0] * 60 + p[1]                           // minutes:seconds
        case (false, 3): return p[0] * 3600 + p[1] * 60 + p[2]             // hours:minutes:seconds
        case (true, 1): return days * 86400 + p[0] * 3600                  // days-hours
        case (true, 2): return days * 86400 + p[0] * 3600 + p[1] * 60      // days-hours:minutes
        default: return days * 86400 + p[0] * 3600 + p[1] * 60 + p[2]      // days-hours:minutes:seconds
        }
    }

    static func isMemory(_ text: String) -> Bool {
        var digits = Substring(text)
        if let last = text.last, "KMGTkmgt".contains(last) { digits = text.dropLast() }
        return !digits.isEmpty && digits.allSatisfy(\.isNumber) && (Int(digits) ?? 0) > 0
    }

    /// The `#SBATCH` lines these options give (cpus-per-task always: SLURM_CPUS_PER_TASK is set only then).
    var directives: [String] {
        var out = ["--cpus-per-task=\(cpusPerTask ?? 1)"]
        if let time { out.append("--time=\(time)") }
        if let memory { out.append("--mem=\(memory)") }
        if let partition { out.append("--partition=\(partition)") }
        if let account { out.append("--account=\(account)") }
        if let qos { out.append("--qos=\(qos)") }
        return out + sbatchArgs
    }

    /// The options as a tree (manifest.json, submissions.json); unset ones are left out.
    public var tree: ConfigValue {
        var pairs: [(String, ConfigValue)] = []
        if let partition { pairs.append(("partition", .string(partition))) }
        if let time { pairs.append(("time", .string(time))) }
        pairs.append(("cpus_per_task", .number(Double(cpusPerTask ?? 1))))
        if let memory { pairs.append(("mem", .string(memory))) }
        if let account { pairs.append(("account", .string(account))) }
        if let qos { pairs.append(("qos", .string(qos))) }
        if let maxRunning { pairs.append(("max_running", .number(Double(maxRunning)))) }
        if !sbatchArgs.isEmpty { pairs.append(("sbatch_args", .array(sbatchArgs.map { .string($0) }))) }
        return .object(pairs)
    }
}
