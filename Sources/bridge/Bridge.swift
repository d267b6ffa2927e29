import ArgumentParser
import BridgeSupport
import Foundation
import TensorCore

/// The process entry: choose OpenBLAS's core (which may re-execute this binary once, before any work),
/// check BRIDGE_KERNELS, then parse the command line.
@main
enum Entry {
    static func main() {
        do {
            try BLASCoreSetup.prepareProcess()
            _ = try KernelGeneration.parse(ProcessInfo.processInfo.environment[KernelGeneration.variable])
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            exit(2)
        }
        do {
            var command = try Bridge.parseAsRoot()
            try command.run()
        } catch {
            Bridge.exit(withError: styled(error))
        }
    }

    /// Foundation's raw errors ("NSCocoaErrorDomain Code=516", "error 256") become `path: cause. Fix: …`
    /// (FileProblem); every other error passes through unchanged.
    static func styled(_ error: Error) -> Error {
        if error is FileProblem { return error }
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return error }
        let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path ?? "file"
        return FileProblem(url: URL(fileURLWithPath: path), error: error, action: "access it")
    }
}

/// The `bridge` command: thin adaptors that build configs and call the library modules.
struct Bridge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge",
        abstract: "BRIDGE testbed: cooperative SFT + RL training of small transformers, studies and theory checks.",
        subcommands: [Doctor.self, Bench.self, Init.self, ExportHF.self, ImportHF.self, Score.self,
                      DataCommand.self, Pretrain.self, Eval.self, Train.self, TrainTable.self,
                      Run.self, Study.self, TheoryCommand.self]
    )
}
