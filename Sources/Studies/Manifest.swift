import BridgeSupport
import Foundation
import TensorCore

/// DIR/manifest.json: where the numbers of a study folder came from (spec text and hashes, code
/// version, numerics libraries, toolchain, host, start and end times, and what executed the runs).
/// Not byte-comparable by design.
public struct Manifest {
    public var specText: String
    public var specSource: String
    public var specHash: String
    public var command: [String]
    public var workers: Int
    public var startedAt: Date
    public var finishedAt: Date?
    /// What executed the runs: `{"name": "local", "workers": N}`, `{"name": "prepare_only"}` or the Slurm
    /// submission (`{"name": "slurm", "submission": k, "jobs": {...}, "options": {...}}`).
    public var executor: ConfigValue = .null
    /// The folder's earlier executions, oldest first (`history`): when a finished study is re-collected
    /// or resumed, the manifest describes the new execution, and this keeps when and with what code the
    /// earlier ones ran, so a re-collection never erases how long the runs took or which commit made them.
    public var history: [ConfigValue] = []
    /// Runs this execution copied from other study folders instead of computing them (`--reuse`).
    public var reused: [RunReuse.Reused] = []

    public init(specText: String, specSource: String, specHash: String, command: [String], workers: Int, startedAt: Date) {
        self.specText = specText; self.specSource = specSource; self.specHash = specHash
        self.command = command; self.workers = workers; self.startedAt = startedAt
    }

    public static let fileName = "manifest.json"

    /// `git describe --always --dirty` of the current folder, or "unknown" outside a git checkout.
    public static func codeVersion() -> String {
        guard let git = ExternalCommand.run("git", ["describe", "--always", "--dirty"]) else { return "unknown" }
        let text = git.output.trimmingCharacters(in: .whitespacesAndNewlines)
        return git.status == 0 && !text.isEmpty ? text : "unknown"
    }

    static func iso(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }

    public func tree() throws -> ConfigValue {
        let info = ProcessInfo.processInfo
        var pairs: [(String, ConfigValue)] = [
            ("spec_source", .string(specSource)),
            ("spec_text", .string(specText)),
            ("spec_text_sha256", .string(SHA256.hex(specText))),
            ("effective_spec_sha256", .string(specHash)),
            ("command", .array(command.map { .string($0) })),
            ("workers", .number(Double(workers))),
            // Each worker pins OpenBLAS to one thread (OPENBLAS_NUM_THREADS=1 and BLAS.threads = 1);
            // numerics.blas_threads below is the study process's own setting.
            ("worker_blas_threads", .number(1)),
            ("code_version", .string(Manifest.codeVersion())),
            ("numerics", try ConfigValue.encode(NumericsProvenance.current())),
            ("toolchain", .string("swift \(NumericsProvenance.swiftCompilerVersion) (\(NumericsProvenance.buildConfiguration) build)")),
            ("host", .object([
                ("hostname", .string(info.hostName)),
                ("os", .string(info.operatingSystemVersionString)),
                ("cores", .number(Double(info.activeProcessorCount))),
                ("memory_gb", .number((Double(info.physicalMemory) / 1_073_741_824 * 10).rounded() / 10)),
            ])),
            ("started_at", .string(Manifest.iso(startedAt))),
            ("finished_at", finishedAt.map { .string(Manifest.iso($0)) } ?? .null),
        ]
        if executor != .null { pairs.append(("executor", executor)) }
        if !history.isEmpty { pairs.append(("history", .array(history))) }
        if !reused.isEmpty {
            pairs.append(("reused", .array(reused.map { .object([("run_id", .string($0.runId)), ("from", .string($0.from))]) })))
        }
        return .object(pairs)
    }

    /// Keys of one `history` entry: what says when, how and from which code and spec an execution ran.
    static let historyKeys = ["started_at", "finished_at", "command", "workers", "executor", "code_version", "effective_spec_sha256", "reused"]

    /// The history a new execution of DIR carries: the folder's manifest's own history, then that
    /// manifest's execution itself. Empty when DIR has no readable manifest.
    public static func history(before dir: URL) -> [ConfigValue] {
        let url = dir.appendingPathComponent(fileName)
        guard let text = try? String(contentsOf: url, encoding: .utf8),
              let tree = try? ConfigValue.parseYAML(text, source: url.path).value, case .object = tree else { return [] }
        var earlier: [ConfigValue] = []
        if case let .array(h)? = tree["history"] { earlier = h }
        let entry = historyKeys.compactMap { k in tree[k].map { (k, $0) } }
        return entry.isEmpty ? earlier : earlier + [.object(entry)]
    }

    /// Where a study's runs were computed, as its manifest.json records it (`numerics.cpu`,
    /// `numerics.blas_core.in_use`, empty when missing; `numerics.kernels`, nil when this build does not
    /// know the generation). Bitwise equality is expected only on the same CPU kind, OpenBLAS core and
    /// kernel generation (docs/kernels.md, "Bits follow the core").
    public struct RecordedNumerics: Equatable, Sendable {
        public var cpu: String, core: String
        /// `numerics.kernels`; generation 1 when the manifest predates the field (it was the only one).
        public var kernels: KernelGeneration?

        public init(manifest tree: ConfigValue) {
            cpu = ConfigPath.cellText(tree["numerics"]?["cpu"] ?? .null)
            core = ConfigPath.cellText(tree["numerics"]?["blas_core"]?["in_use"] ?? .null)
            switch tree["numerics"]?["kernels"] {
            case nil, .null?: kernels = .v1
            case let .number(n)?: kernels = KernelGeneration(rawValue: Int(n))
            case let .string(t)?: kernels = Int(t).flatMap(KernelGeneration.init(rawValue:))
            default: kernels = nil
            }
        }

        /// Same CPU kind, core and kernel generation as this process.
        public func matches(_ here: NumericsProvenance) -> Bool {
            cpu == here.cpu && sameCore(as: here) && kernels == here.kernels
        }

        /// This CPU kind, another core: what running on `core` would put right.
        public func differsOnlyInCore(from here: NumericsProvenance) -> Bool {
            cpu == here.cpu && !sameCore(as: here)
        }

        /// The core this process runs (names compared without case).
        func sameCore(as here: NumericsProvenance) -> Bool { core.lowercased() == here.blasCore.inUse.lowercased() }
    }

    /// The numerics DIR/manifest.json records, with that file's path; nil when there is none or it does not
    /// parse. Read once before an execution replaces the manifest, then given to the checks below.
    public static func recordedNumerics(in dir: URL) -> (path: String, numerics: RecordedNumerics)? {
        let url = dir.appendingPathComponent(fileName)
        guard let text = try? String(contentsOf: url, encoding: .utf8),
              let tree = try? ConfigValue.parseYAML(text, source: url.path).value else { return nil }
        return (url.path, RecordedNumerics(manifest: tree))
    }

    /// A note when a study's manifest (`recorded`) says its runs so far were computed on this CPU kind with
    /// another OpenBLAS core than this process runs (bridge's choice changed, or BRIDGE_BLAS_CORE): the
    /// runs added now round differently from those. nil when the cores agree, the CPU differs (a cluster's
    /// nodes choose for themselves) or there is no manifest.
    public static func coreChangeNote(_ recorded: (path: String, numerics: RecordedNumerics)?,
                                      here: NumericsProvenance = .current()) -> String? {
        guard let (path, numerics) = recorded, numerics.differsOnlyInCore(from: here) else { return nil }
        return """
            note: this study's finished runs were computed on OpenBLAS core \(numerics.core) (\(path)); this process runs \
            \(here.blasCore.inUse), so the runs it adds round differently. To continue on one core: \
            BRIDGE_BLAS_CORE=\(numerics.core) bridge study run ….
            """
    }

    /// The error for adding runs to a folder whose manifest (`recorded`) says its finished runs were
    /// computed with another kernel generation than this process runs (a study mixing the two would compare
    /// numbers computed two ways); nil when they agree or there is no manifest. `what` names the folder's role.
    public static func kernelsMismatch(_ recorded: (path: String, numerics: RecordedNumerics)?, what: String = "this study",
                                       here: KernelGeneration = .current) -> ConfigError? {
        guard let (path, numerics) = recorded, numerics.kernels != here else { return nil }
        guard let kernels = numerics.kernels else {
            return .invalid(source: path, path: "numerics.kernels", line: nil,
                            message: "records a kernel generation this build does not have (it has \(KernelGeneration.allCases.map(\.description).joined(separator: ", ")))",
                            fix: "use the bridge version that wrote it, or a new output folder")
        }
        return .invalid(source: path, path: "numerics.kernels", line: nil,
                        message: "\(what)'s finished runs were computed with kernel generation \(kernels); this process runs generation \(here), so the runs added now would round differently",
                        fix: "continue with \(KernelGeneration.variable)=\(kernels), or use a new output folder")
    }

    /// Reads DIR/manifest.json back (what a later step, such as the Slurm collect job, completes); nil
    /// when there is none or it is not a manifest. Host and numerics are not read: the writer records its own.
    public static func read(from dir: URL) -> Manifest? {
        let url = dir.appendingPathComponent(fileName)
        guard let text = try? String(contentsOf: url, encoding: .utf8),
              let tree = try? ConfigValue.parseYAML(text, source: url.path).value,
              case let .string(specText)? = tree["spec_text"], case let .string(source)? = tree["spec_source"],
              case let .string(hash)? = tree["effective_spec_sha256"], case let .array(command)? = tree["command"],
              case let .number(workers)? = tree["workers"], case let .string(started)? = tree["started_at"],
              let startedAt = parseISO(started) else { return nil }
        var m = Manifest(specText: specText, specSource: source, specHash: hash, command: command.map(ConfigPath.cellText),
                         workers: Int(workers), startedAt: startedAt)
        if case let .string(finished)? = tree["finished_at"] { m.finishedAt = parseISO(finished) }
        m.executor = tree["executor"] ?? .null
        if case let .array(h)? = tree["history"] { m.history = h }
        if case let .array(r)? = tree["reused"] {
            m.reused = r.compactMap { e in
                guard case let .string(id)? = e["run_id"], case let .string(from)? = e["from"] else { return nil }
                return RunReuse.Reused(runId: id, from: from)
            }
        }
        return m
    }

    static func parseISO(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }

    public func write(to dir: URL) throws {
        try AtomicFile.write(try tree().prettyJSON, to: dir.appendingPathComponent(Manifest.fileName))
    }
}
