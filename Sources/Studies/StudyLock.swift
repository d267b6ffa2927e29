import BridgeSupport
import Foundation

/// An exclusive lock on a study folder (flock on DIR/.lock), held for the life of the process that runs
/// the study, so that two `bridge study run` commands never execute the same runs at once. The kernel
/// releases it when the process exits, SIGKILL included: a killed study never leaves a stale lock.
public final class StudyLock {
    private let fd: Int32

    /// Takes the lock or throws an error naming the folder and the holder's pid.
    public init(dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(".lock").path
        fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else {
            throw ConfigError.invalid(source: path, path: "lock", line: nil, message: "cannot open the lock file (\(String(cString: strerror(errno))))",
                                      fix: "check write permission on \(dir.path)")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            close(fd)
            throw ConfigError.invalid(source: dir.path, path: "lock", line: nil,
                                      message: "another `bridge study run` (pid \(holder)) is running this study folder",
                                      fix: "wait for it (watch it with `bridge study status \(dir.path)`), or stop it first")
        }
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(fd, $0, strlen($0)) }
    }

    deinit { close(fd) }
}
