import BridgeSupport
import Foundation
import Testing

@Suite struct FolderLockTests {
    /// A child started while the lock is held must not keep it after the lock is released. The CI once saw
    /// a study test refused by its own finished run's lock: another test had spawned a process in between.
    /// The child here is spawned with no file actions, so it inherits every descriptor not marked
    /// close-on-exec, whichever spawner a caller uses.
    @Test func releasedLockIsNotKeptByAChildProcess() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bridge-lock-cloexec-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        defer { try? FileManager.default.removeItem(at: dir) }
        var first: FolderLock? = try FolderLock(dir: dir, holderCommand: "test")
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("30"), nil]
        defer { argv.forEach { free($0) } }
        #expect(posix_spawn(&pid, "/bin/sleep", nil, nil, argv, environ) == 0)
        defer { kill(pid, SIGKILL); var status: Int32 = 0; waitpid(pid, &status, 0) }
        first = nil
        _ = first
        #expect(kill(pid, 0) == 0, "the child must still be alive for the check to mean anything")
        #expect(throws: Never.self) { _ = try FolderLock(dir: dir, holderCommand: "test") }
    }
}
