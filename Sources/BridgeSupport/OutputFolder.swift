import Foundation

/// Guards on output paths, so that no command silently replaces another run's or a user's files: a
/// command writes into a folder that is new or empty, or that holds its own earlier output of the same
/// config; anything else is refused with the fix (`--resume`, another `--out`, or `--force`).
public enum OutputFolder {
    /// The files a single run writes into its folder (train, theory and `bridge run`).
    public static let runFiles: Set<String> = ["config.json", "provenance.json", "metrics.csv", "result.json",
                                               "checkpoint.safetensors", "run.json", "worker.log", "slopes.csv"]

    /// The visible entries of `dir` (dot-files such as .lock and temporary files are ignored); nil when
    /// the folder does not exist. A file where the folder should be is an error.
    public static func entries(_ dir: URL) throws -> [String]? {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir) else { return nil }
        guard isDir.boolValue else {
            throw FileProblem(path: dir.path, what: "a file is in the way where the output folder is expected", fix: "give a folder path for --out, or move the file")
        }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw FileProblem(url: dir, error: error, action: "list the output folder")
        }
    }

    /// "a, b, c and 4 more" for error messages.
    public static func list(_ names: [String], max: Int = 4) -> String {
        names.count <= max ? names.joined(separator: ", ") : names.prefix(max).joined(separator: ", ") + " and \(names.count - max) more"
    }

    /// Refuses files the command would replace (a user's config.json, an earlier export), unless `force`.
    public static func refuseReplacing(_ files: [URL], force: Bool, what: String) throws {
        let present = files.filter { FileManager.default.fileExists(atPath: $0.path) }
        guard !present.isEmpty, !force else { return }
        let folder = present[0].deletingLastPathComponent().path
        throw FileProblem(path: present.count == 1 ? present[0].path : folder,
                          what: "\(what) would replace existing \(list(present.map(\.lastPathComponent)))",
                          fix: "choose a new path, move the file(s) away, or pass --force to replace them")
    }

    /// Checks a run folder before a single run writes it. `config` is the run's resolved config; a
    /// folder is accepted when it is new or empty, or holds a run of the same config and `resume` is set
    /// (the command continues it). `force` accepts anything and removes the earlier run's own files (never
    /// other files), so that no stale result outlives the new run. Returns the earlier run's state.
    @discardableResult
    public static func checkRunFolder(_ dir: URL, config: ConfigValue, resume: Bool, force: Bool,
                                      command: String) throws -> RunFolderState {
        guard let items = try entries(dir), !items.isEmpty else { return .empty }
        let foreign = items.filter { !runFiles.contains($0) }
        let configURL = dir.appendingPathComponent("config.json")
        var sameConfig = false
        if let text = try? String(contentsOf: configURL, encoding: .utf8),
           let old = try? ConfigValue.parseYAML(text, source: configURL.path).value {
            sameConfig = old.canonicalJSON == config.canonicalJSON
        }
        let status = (try? RunResult.read(dir.appendingPathComponent("result.json")))?.status.rawValue
        if force {
            for f in items where runFiles.contains(f) { try? FileManager.default.removeItem(at: dir.appendingPathComponent(f)) }
            return .replaced
        }
        if !foreign.isEmpty {
            throw FileProblem(path: dir.path, what: "the folder holds files that are not a run's (\(list(foreign)))",
                              fix: "choose a new or empty --out folder, or pass --force to write into it (your files are kept; the run's own files are replaced)")
        }
        guard items.contains("config.json") else {
            // Run files without a config: a run killed before it wrote anything that identifies it.
            if resume { return .startedNothing }
            throw FileProblem(path: dir.path, what: "the folder holds an unidentified run's files (\(list(items)))",
                              fix: "pass --resume to start it here, --force to replace them, or choose another --out")
        }
        guard sameConfig else {
            throw FileProblem(path: dir.path, what: "the folder holds another run (\(status ?? "unfinished"), a different config)",
                              fix: "choose another --out, or pass --force to replace that run (its config.json, metrics.csv, result.json and checkpoint are deleted)")
        }
        guard resume else {
            throw FileProblem(path: dir.path, what: "the folder holds this run already (\(status ?? "unfinished"))",
                              fix: "pass --resume to continue it (a finished run is kept as it is), or --force to start it over")
        }
        return .sameRun(status: status)
    }

    public enum RunFolderState: Equatable {
        /// New or empty folder.
        case empty
        /// Only run files without a config.json (killed before it was written).
        case startedNothing
        /// An earlier run of the same config (its status, nil when unfinished).
        case sameRun(status: String?)
        /// --force: the earlier run's files were removed.
        case replaced
    }
}
