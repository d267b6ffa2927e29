import Foundation

/// Runs another program (git, sbatch, squeue, sacct, scancel) and returns its exit status and output.
///
/// Output is captured through temporary files, never pipes: Foundation's Process can close a pipe's
/// write end twice, and in a process that runs other work in parallel (the test runner) the second close
/// hits a descriptor someone else just opened. The outputs here are small, so files cost nothing.
public struct ExternalCommand: Sendable {
    public var status: Int32
    public var output: String
    public var errorOutput: String

    /// Runs `executable` (a path, or a name looked up on PATH) with `arguments`; nil when it cannot be
    /// started (not installed). `environment` replaces the inherited one when given.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           directory: URL? = nil) -> ExternalCommand? {
        guard let path = executable.contains("/") ? executable : find(executable) else { return nil }
        let capture = FileManager.default.temporaryDirectory
            .appendingPathComponent("bridge-cmd-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        let outURL = capture.appendingPathExtension("out"), errURL = capture.appendingPathExtension("err")
        defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
              FileManager.default.createFile(atPath: errURL.path, contents: nil),
              let out = try? FileHandle(forWritingTo: outURL), let err = try? FileHandle(forWritingTo: errURL) else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        if let environment { p.environment = environment }
        if let directory { p.currentDirectoryURL = directory }
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { try? out.close(); try? err.close(); return nil }
        p.waitUntilExit()
        try? out.close(); try? err.close()
        let o = (try? Data(contentsOf: outURL)) ?? Data(), e = (try? Data(contentsOf: errURL)) ?? Data()
        return ExternalCommand(status: p.terminationStatus, output: String(decoding: o, as: UTF8.self),
                               errorOutput: String(decoding: e, as: UTF8.self))
    }

    /// The first executable file called `name` on PATH (nil when there is none).
    public static func find(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
