import ArgumentParser
import BridgeSupport
import Foundation
import Studies

/// `bridge study list`: the shipped study specs and their questions.
struct StudyList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the study specs in studies/ with their questions and presets.")

    @Option(name: .long, help: "Folder of study specs.")
    var studiesDir = "studies"

    func run() throws {
        let dir = URL(fileURLWithPath: studiesDir)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else {
            throw ValidationError("no folder '\(studiesDir)' (from \(FileManager.default.currentDirectoryPath)): run from the repository root or pass --studies-dir")
        }
        for name in names.filter({ $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }).sorted() {
            let path = dir.appendingPathComponent(name)
            do {
                let spec = try StudySpec.parse(yaml: try AtomicFile.readText(path, what: "study spec"), source: path.path)
                let presets = spec.presets.map(\.name).joined(separator: ", ")
                print("\(spec.name.padding(toLength: 18, withPad: " ", startingAt: 0)) [\(spec.kind)] \(spec.question)")
                print("\(String(repeating: " ", count: 19))\(studiesDir)/\(name)\(presets.isEmpty ? "" : "  presets: " + presets)")
            } catch {
                print("\(name): invalid spec: \(error)")
            }
        }
    }
}
