import BridgeSupport
import Foundation
import TensorCore

/// DIR/manifest.json: where the numbers of a study folder came from (spec text and hashes, code
/// version, numerics libraries, toolchain, host, start and end times). Not byte-comparable by design.
public struct Manifest {
    public var specText: String
    public var specSource: String
    public var specHash: String
    public var command: [String]
    public var workers: Int
    public var startedAt: Date
    public var finishedAt: Date?

    public init(specText: String, specSource: String, specHash: String, command: [String], workers: Int, startedAt: Date) {
        self.specText = specText; self.specSource = specSource; self.specHash = specHash
        self.command = command; self.workers = workers; self.startedAt = startedAt
    }

    public static let fileName = "manifest.json"

    /// `git describe --always --dirty` of the current folder, or "unknown" outside a git checkout.
    public static func codeVersion() -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "describe", "--always", "--dirty"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return "unknown" }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return p.terminationStatus == 0 && !text.isEmpty ? text : "unknown"
    }

    static func iso(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }

    public func tree() throws -> ConfigValue {
        let info = ProcessInfo.processInfo
        return .object([
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
        ])
    }

    public func write(to dir: URL) throws {
        try AtomicFile.write(try tree().prettyJSON, to: dir.appendingPathComponent(Manifest.fileName))
    }
}
