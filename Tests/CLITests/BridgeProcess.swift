import Foundation
import BridgeSupport

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

/// Runs bridge in `dir`; returns (exit status, stdout, stderr), captured through files (no pipe can fill
/// and block the child). `environment` replaces the
/// inherited variables it names (a nil value removes one).
@discardableResult
func runBridge(_ args: [String], in dir: URL, environment: [String: String?] = [:]) throws -> (status: Int32, out: String, err: String) {
    try runProgram(try bridgeBinary(), args, in: dir, environment: environment)
}

/// Runs any program the way `runBridge` runs bridge.
@discardableResult
func runProgram(_ executable: URL, _ args: [String], in dir: URL, environment: [String: String?] = [:]) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = executable
    p.arguments = args
    if !environment.isEmpty {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
    }
    p.currentDirectoryURL = dir
    // Files, not pipes: Foundation's Process can close a pipe's write end twice, and under parallel
    // tests the second close hits a descriptor another test just opened.
    let capture = FileManager.default.temporaryDirectory.appendingPathComponent("bridge-cli-io-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
    let outURL = capture.appendingPathExtension("out"), errURL = capture.appendingPathExtension("err")
    guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
          FileManager.default.createFile(atPath: errURL.path, contents: nil) else {
        throw FileProblem(path: outURL.path, errno: errno, action: "create the capture files of a bridge process")
    }
    defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    p.standardOutput = out
    p.standardError = err
    try p.run()
    p.waitUntilExit()
    try out.close(); try err.close()
    let o = try Data(contentsOf: outURL), e = try Data(contentsOf: errURL)
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// A new empty temporary folder named after the test.
func makeTempDir(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("bridge-cli-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

