import Foundation

/// An exclusive lock on an output folder (flock on DIR/.lock), held for the life of the process that
/// writes the folder, so that two commands never write the same run or study at once. The kernel
/// releases it when the process exits, SIGKILL included: a killed run never leaves a stale lock.
/// A child process started while the lock is held (a study's worker, or any command another thread of the
/// same process runs) shares the open file, and with it the lock. Two guards keep such a child from holding
/// the lock after this object releases it: the descriptor is close-on-exec (a child that runs a program
/// drops it), and the release unlocks explicitly before closing (a child still between fork and exec
/// holds the file, and closing alone would leave the lock with it; the CI saw this once).
public final class FolderLock {
    private let fd: Int32

    /// Takes the lock or throws an error naming the folder, the holder's pid and `holderCommand` (what
    /// kind of command holds such locks, e.g. "`bridge study run`").
    /// `wait`: seconds to keep trying before giving up (a study worker waits for an orphan of a killed
    /// study, which exits within 0.2 s; a command a user started gives up at once).
    public init(dir: URL, holderCommand: String, fix: String? = nil, wait: Double = 0) throws {
        try FileProblem.createFolder(dir)
        let path = dir.appendingPathComponent(".lock").path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw FileProblem(path: path, errno: errno, action: "open the lock file")
        }
        let deadline = Date().addingTimeInterval(wait)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 && Date() < deadline { usleep(50_000) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            close(fd)
            throw ConfigError.invalid(source: dir.path, path: "lock", line: nil,
                                      message: "another \(holderCommand) (pid \(holder)) is writing this folder",
                                      fix: fix ?? "wait for it to finish, or stop it first; or use another --out folder")
        }
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(fd, $0, strlen($0)) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
