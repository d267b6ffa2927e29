import ArgumentParser
import Foundation
import TensorCore

/// The process entry: choose OpenBLAS's core (which may re-execute this binary once, before any work),
/// then parse the command line.
@main
enum Entry {
    static func main() {
        do {
            try BLASCoreSetup.prepareProcess()
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            exit(2)
        }
        Bridge.main()
    }
}

/// The `bridge` command: thin adaptors that build configs and call the library modules.
struct Bridge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge",
        abstract: "BRIDGE testbed: cooperative SFT + RL training of small transformers, studies and theory checks.",
        subcommands: [Doctor.self, Bench.self, Init.self, ExportHF.self, Score.self,
                      DataCommand.self, Pretrain.self, Eval.self, Train.self, TrainTable.self,
                      Run.self, Study.self, TheoryCommand.self]
    )
}
