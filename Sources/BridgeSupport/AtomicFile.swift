import Foundation

/// Atomic file writes (temporary file in the same folder, then rename), so that a crash, a kill or a
/// full disk never leaves a half-written result in place of a finished one. Errors are `FileProblem`s:
/// `path: cause. Fix: …` (a file where a folder is expected, read-only, name too long, no space).
public enum AtomicFile {
    /// Kept for callers that build their own write errors; prefer `FileProblem`.
    public typealias WriteError = FileProblem

    public static func write(_ text: String, to url: URL) throws { try write(Data(text.utf8), to: url) }

    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        try FileProblem.createFolder(dir)
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue {
            throw FileProblem(path: url.path, what: "a folder is in the way where a file is to be written", fix: "give the path of a file, not a folder, or move the folder")
        }
        if url.lastPathComponent.utf8.count > 240 {
            // The temporary name adds a dot, the pid and ".tmp": check the name the user chose first.
            throw FileProblem(path: url.path, errno: ENAMETOOLONG, action: "write the file")
        }
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        // EBADF means another thread closed this descriptor under us (Foundation's Process and FileHandle
        // can close a pipe's descriptor twice, and the second close hits whatever reused the number): the
        // temporary file may be incomplete, so write it again from the start; the rename keeps the
        // destination whole throughout.
        var attempt = 0
        while true {
            attempt += 1
            let failure = writeOnce(data, tmp: tmp, to: url)
            if failure == 0 { return }
            unlink(tmp.path)
            if failure == EBADF && attempt < 3 { continue }
            throw FileProblem(path: url.path, errno: failure, action: "write the file")
        }
    }

    /// One attempt: write `data` to `tmp`, fsync, close, rename over `url`; 0 or the errno that stopped it.
    private static func writeOnce(_ data: Data, tmp: URL, to url: URL) -> Int32 {
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return errno }
        var failure: Int32 = 0
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                offset += n
            }
        }
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(tmp.path, url.path) != 0 { failure = errno }
        return failure
    }

    /// Reads a UTF-8 text file with an error that names the file and the fix.
    public static func readText(_ url: URL, what: String) throws -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw FileProblem(path: url.path, what: "\(what): file not found", fix: "check the path (relative paths are from \(FileManager.default.currentDirectoryPath))")
        }
        if isDir.boolValue {
            throw FileProblem(path: url.path, what: "\(what) is a folder, where a file is expected", fix: "give the path of the \(what) itself")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw FileProblem(url: url, error: error, action: "read the \(what)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FileProblem(path: url.path, what: "\(what) is not UTF-8 text", fix: "check that this is the right file (a text file: YAML, JSON or CSV)")
        }
        return text
    }
}
