import BridgeSupport
import Foundation
import Testing

@Suite struct FolderLockTests {
    /// A child started while the lock is held must not keep it after the lock is released. The CI once saw
    /// a study test refused by its own finished run's lock: another test had spawned a process in between.
    /// The child here is spawned with no file actions, so it inherits every descriptor not marked
    /// close-on-exec, whichever spawner a caller uses.
    @Test func releasedLockIsNotKeptByAChildProcess() throws {
        try Self.expectLockFreeAfterRelease(tag: "cloexec", childSharesTheFile: false)
    }

    /// A child that still holds the lock file's open description (as one between fork and exec does, when
    /// another thread forks while the lock is held) must not keep the lock either: the second time the CI
    /// saw a test refused by its own lock, close-on-exec was already in place. The child here gets the
    /// description as its descriptor 3, so it keeps it for its whole life.
    @Test func releasedLockIsNotKeptByAChildThatSharesTheFile() throws {
        try Self.expectLockFreeAfterRelease(tag: "shared", childSharesTheFile: true)
    }

    /// Takes the lock, starts a child (sharing the lock file's description or not), releases the lock while
    /// the child lives, and expects the lock to be free.
    private static func expectLockFreeAfterRelease(tag: String, childSharesTheFile: Bool) throws {
        let dir = scratchFolder(tag)
        defer { try? FileManager.default.removeItem(at: dir) }
        var first: FolderLock? = try FolderLock(dir: dir, holderCommand: "test")
        var shared: Int32? = nil
        if childSharesTheFile {
            let lockPath = dir.appendingPathComponent(".lock").resolvingSymlinksInPath().path
            shared = try #require(openDescriptor(of: lockPath), "the lock file must be open in this process")
        }
        let child = try spawnSleep(sharing: shared)
        defer { stop(child) }
        first = nil
        _ = first
        #expect(kill(child, 0) == 0, "the child must still be alive for the check to mean anything")
        #expect(throws: Never.self) { _ = try FolderLock(dir: dir, holderCommand: "test") }
    }

    private static func scratchFolder(_ tag: String) -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("bridge-lock-\(tag)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
    }

    /// The descriptor of this process that has `path` open, read from /proc/self/fd.
    private static func openDescriptor(of path: String) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for name in entries.sorted() {
            guard let fd = Int32(name),
                  let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)")
            else { continue }
            if target == path { return fd }
        }
        return nil
    }

    /// `sleep 30`, spawned with no file actions, or with `sharing` duplicated onto its descriptor 3
    /// (dup2 clears close-on-exec on the copy, so the child keeps the open description).
    private static func spawnSleep(sharing fd: Int32?) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let fd { posix_spawn_file_actions_adddup2(&actions, fd, 3) }
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("30"), nil]
        defer { argv.forEach { free($0) } }
        let rc = posix_spawn(&pid, "/bin/sleep", &actions, nil, argv, environ)
        try #require(rc == 0, "posix_spawn /bin/sleep failed: \(rc)")
        return pid
    }

    private static func stop(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
