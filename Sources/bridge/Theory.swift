import ArgumentParser
import BridgeSupport
import Foundation
import Theory

/// `bridge theory ...`: the bilevel theory testbed (closed forms, toys, fitted slopes).
struct TheoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "theory",
        abstract: "Bilevel theory checks: penalty bias, proxy error and method comparisons on problems with exact inner solutions.",
        subcommands: [TheoryRunCommand.self, TheorySlopesCommand.self]
    )
}
