import Foundation

/// Atomic file writes (temporary file in the same folder, then rename), so that a crash, a kill or a
/// full disk never leaves a half-written result in place of a finished one.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public init(path: String, reason: String) { self.path = path; self.reason = reason }
        public var description: String {
            "cannot write \(path): \(reason). Fix: check free disk space (df -h) and write permission; finished results were not touched"
        }
    }

    public static func write(_ text: String, to url: URL) throws { try write(Data(text.utf8), to: url) }

    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw WriteError(path: dir.path, reason: "cannot create the folder (\(error.localizedDescription))")
        }
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
            throw WriteError(path: tmp.path, reason: "cannot create a temporary file")
        }
        do {
            let handle = try FileHandle(forWritingTo: tmp)
            defer { try? handle.close() }
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw WriteError(path: url.path, reason: error.localizedDescription)
        }
        if rename(tmp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw WriteError(path: url.path, reason: reason)
        }
    }

    /// Reads a UTF-8 text file with an error that names the file and the fix.
    public static func readText(_ url: URL, what: String) throws -> String {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ConfigError.invalid(source: url.path, path: what, line: nil, message: "file not found", fix: "check the path (relative paths are from \(FileManager.default.currentDirectoryPath))")
        }
        do { return try String(contentsOf: url, encoding: .utf8) } catch {
            throw ConfigError.invalid(source: url.path, path: what, line: nil, message: "cannot read the file as UTF-8 text (\(error.localizedDescription))", fix: "check the file")
        }
    }
}
