import ArgumentParser

/// The `bridge` command: thin adaptors that build configs and call the library modules.
@main
struct Bridge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge",
        abstract: "BRIDGE testbed: cooperative SFT + RL training of small transformers, studies and theory checks.",
        subcommands: [Doctor.self, Bench.self, Init.self, ExportHF.self, Score.self,
                      DataCommand.self, Pretrain.self, Eval.self, Train.self, TrainTable.self,
                      Run.self, Study.self, TheoryCommand.self]
    )
}
