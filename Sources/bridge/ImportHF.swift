import ArgumentParser
import BridgeSupport
import Foundation
import GPT

/// `bridge import-hf`: a Hugging Face GPT-2-layout folder (config.json + model.safetensors) as this
/// project's checkpoint, so a model exported, edited or trained elsewhere can be scored, evaluated or
/// fine-tuned here. The inverse of `export-hf` for the merged model (LoRA adapters are not imported).
struct ImportHF: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-hf",
        abstract: "Import a Hugging Face GPT-2-layout folder (config.json, model.safetensors) as a bridge checkpoint.",
        discussion: "Accepts gelu_new, layer-norm ε 1e-5 and a tied LM head (what this project's GPT computes); refuses anything else with the reason. See docs/gpt.md."
    )

    @Option(name: .customLong("from"), help: "Folder holding config.json and model.safetensors.")
    var from: String

    @Option(help: "Checkpoint file to write (.safetensors).")
    var out: String

    @Flag(help: "Replace an existing file at --out.")
    var force = false

    func validate() throws {
        guard out.hasSuffix(".safetensors") else { throw ValidationError("--out must name a .safetensors file (got '\(out)').") }
    }

    func run() throws {
        let outURL = URL(fileURLWithPath: out)
        try OutputFolder.refuseReplacing([outURL], force: force, what: "the import")
        let model = try HFImport.model(from: URL(fileURLWithPath: from))
        try Checkpoint(model: model, metadata: ["imported_from": URL(fileURLWithPath: from).lastPathComponent]).write(to: outURL)
        print("wrote \(out): \(model.config) from \(from)")
    }
}
