import BridgeSupport
import Foundation

/// An exclusive lock on a study folder (BridgeSupport's `FolderLock` on DIR/.lock), held for the life
/// of the process that runs or submits the study, so that two `bridge study run` (or `submit`) commands
/// never prepare or execute the same runs at once. The kernel releases it when the process exits, SIGKILL included.
public final class StudyLock {
    private let lock: FolderLock

    /// Takes the lock or throws an error naming the folder and the holder's pid.
    public init(dir: URL) throws {
        lock = try FolderLock(dir: dir, holderCommand: "`bridge study run` or `bridge study submit`",
                              fix: "wait for it (watch it with `bridge study status \(dir.path)`), or stop it first")
    }
}
