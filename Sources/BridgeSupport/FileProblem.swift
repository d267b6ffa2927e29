import Foundation

/// A file-system error in the project's one style, `path: what went wrong. Fix: …`, with the fix that
/// fits the cause. Foundation reports causes as NSCocoaError codes (or POSIX errno underneath); their
/// raw text ("The file name is invalid.", "error 256") names neither the cause nor what to do, so every
/// command maps them here instead of printing them.
public struct FileProblem: Error, CustomStringConvertible, LocalizedError {
    public let path: String
    public let what: String
    public let fix: String

    public init(path: String, what: String, fix: String) { self.path = path; self.what = what; self.fix = fix }

    public var description: String { "\(path): \(what). Fix: \(fix)" }
    public var errorDescription: String? { description }

    /// The cause of a POSIX errno, as (what went wrong, fix).
    public static func cause(errno code: Int32, action: String) -> (String, String) {
        switch code {
        case ENOSPC, EDQUOT: return ("cannot \(action): no space left on the device", "free disk space (df -h) or write to another disk; finished results were not touched")
        case EROFS: return ("cannot \(action): the file system is read-only", "write to a writable folder (--out elsewhere)")
        case EACCES, EPERM: return ("cannot \(action): permission denied", "check the folder's write permission (ls -ld), or write elsewhere")
        case ENAMETOOLONG: return ("cannot \(action): the name is too long for the file system", "use a shorter file or folder name")
        case ENOTDIR: return ("cannot \(action): a part of the path is a file where a folder is expected", "remove or rename that file, or choose another path")
        case EISDIR: return ("cannot \(action): it is a folder, where a file is expected", "give the path of a file, not a folder")
        case EEXIST: return ("cannot \(action): a file is in the way where a folder is expected", "remove or rename that file, or choose another path")
        case ENOENT: return ("cannot \(action): no such file or folder", "check the path (relative paths are from \(FileManager.default.currentDirectoryPath))")
        default: return ("cannot \(action): \(String(cString: strerror(code)))", "check the path, free disk space (df -h) and permissions")
        }
    }

    public init(path: String, errno code: Int32, action: String) {
        let (what, fix) = FileProblem.cause(errno: code, action: action)
        self.init(path: path, what: what, fix: fix)
    }

    /// Maps a Foundation error about `url` to its cause. NSCocoaError codes: 4/260 no such file,
    /// 256 unknown read error (e.g. a folder read as a file), 513 no permission, 514 invalid name (too
    /// long), 516 file exists (a file where a folder is expected), 640 out of space, 642 read-only volume.
    public init(url: URL, error: Error, action: String) {
        if let p = error as? FileProblem { self = p; return }
        let ns = error as NSError
        var code: Int32? = nil
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            code = Int32(underlying.code)
        }
        if ns.domain == NSPOSIXErrorDomain { code = Int32(ns.code) }
        if code == nil && ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case 4, 260: code = ENOENT
            case 513: code = EACCES
            case 514: code = ENAMETOOLONG
            case 516: code = EEXIST
            case 640: code = ENOSPC
            case 642: code = EROFS
            default: break
            }
        }
        var isDir: ObjCBool = false
        if code == nil || code == EEXIST || ns.code == 256 {
            // Foundation's generic codes hide the cause: look at the path itself.
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue, !action.contains("folder") {
                code = EISDIR
            } else if let blocker = FileProblem.fileInPath(url) {
                self.init(path: blocker, errno: ENOTDIR, action: action)
                return
            }
        }
        if let code {
            self.init(path: url.path, errno: code, action: action)
        } else {
            self.init(path: url.path, what: "cannot \(action) (\(ns.localizedDescription))", fix: "check the path, free disk space (df -h) and permissions")
        }
    }

    /// The first component of `url`'s parent path that exists as a regular file (a file where a folder is expected).
    static func fileInPath(_ url: URL) -> String? {
        var prefix = url.path.hasPrefix("/") ? "" : FileManager.default.currentDirectoryPath
        for part in url.deletingLastPathComponent().standardizedFileURL.path.split(separator: "/") {
            prefix += "/" + part
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: prefix, isDirectory: &isDir) {
                if !isDir.boolValue { return prefix }
            } else { return nil }
        }
        return nil
    }

    /// Creates a folder (and its parents) with an error in the project's style.
    public static func createFolder(_ url: URL) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) {
            if isDir.boolValue { return }
            throw FileProblem(path: url.path, what: "a file is in the way where a folder is expected", fix: "remove or rename that file, or choose another folder")
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            if let blocker = fileInPath(url.appendingPathComponent("x")) {
                throw FileProblem(path: blocker, what: "a file is in the way where a folder is expected", fix: "remove or rename that file, or choose another folder")
            }
            throw FileProblem(url: url, error: error, action: "create the folder")
        }
    }
}
