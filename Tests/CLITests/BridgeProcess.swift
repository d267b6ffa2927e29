import Foundation

/// Shared by every CLI test: find the `bridge` executable built next to this test bundle (CLITests depends
/// on the bridge target), run it in a folder, and make fresh temporary folders.
func bridgeBinary() throws -> URL {
    var candidates: [URL] = []
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
    }
    candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
    candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
    for dir in candidates {
        for up in [dir, dir.deletingLastPathComponent(), dir.deletingLastPathComponent().deletingLastPathComponent()] {
            let b = up.appendingPathComponent("bridge")
            if FileManager.default.isExecutableFile(atPath: b.path) { return b }
        }
    }
    throw CLIError(message: "bridge binary not found near \(candidates.map(\.path)); build it first (swift build)")
}

struct CLIError: Error, CustomStringConvertible { let message: String; var description: String { message } }

/// Runs bridge in `dir`; returns (exit status, stdout, stderr). Both pipes are drained concurrently so a
/// chatty stderr (progress lines) can never block the child on a full pipe. `environment` replaces the
/// inherited variables it names (a nil value removes one).
@discardableResult
func runBridge(_ args: [String], in dir: URL, environment: [String: String?] = [:]) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = try bridgeBinary()
    p.arguments = args
    if !environment.isEmpty {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
    }
    p.currentDirectoryURL = dir
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let errData = DataBox()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { errData.data = err.fileHandleForReading.readDataToEndOfFile() }
    let o = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: errData.data, as: UTF8.self))
}

/// A new empty temporary folder named after the test.
func makeTempDir(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("bridge-cli-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Holds what the stderr reader collected (written once, read after the group finished).
final class DataBox: @unchecked Sendable { var data = Data() }
