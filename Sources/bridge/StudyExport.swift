import ArgumentParser
import BridgeSupport
import Foundation
import Studies

/// `bridge study export DIR`: SVG figures into DIR/figures/ and a Jupyter notebook into notebooks-export/.
struct StudyExport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write SVG figures (DIR/figures/) and a pandas notebook (notebooks-export/<study>.ipynb) for a study folder.")

    @Argument(help: "Study output folder.")
    var dir: String

    @Option(name: .long, help: "Folder for the notebook.")
    var notebookDir = "notebooks-export"

    @Flag(name: .long, help: "Replace a notebook of the same name that is not this study's own export.")
    var force = false

    func run() throws {
        let collector = try Collector(dir: URL(fileURLWithPath: dir))
        // A committed study (CSVs without run folders) is exported from its CSVs as they are.
        if !collector.fromCSV { try collector.writeAll() }
        let export = NotebookExport(collector: collector)
        let url = try export.write(notebookDir: URL(fileURLWithPath: notebookDir), force: force)
        print("figures: \(dir)/figures/  notebook: \(url.path)")
    }
}
