import ArgumentParser
import BridgeSupport
import Foundation
import GPT

/// `bridge export-hf`: a checkpoint in Hugging Face GPT2LMHeadModel's layout (LoRA merged).
struct ExportHF: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-hf",
        abstract: "Export a checkpoint as config.json + model.safetensors for transformers' GPT2LMHeadModel.",
        discussion: "Load with GPT2LMHeadModel.from_pretrained(DIR); see docs/gpt.md for a logit comparison with `bridge score`."
    )

    @Option(help: "Checkpoint file written by `bridge init` or training.")
    var checkpoint: String

    @Option(help: "Output folder (created if missing).")
    var out: String

    @Flag(help: "Replace config.json and model.safetensors already in the folder.")
    var force = false

    func run() throws {
        let model = try Checkpoint.read(URL(fileURLWithPath: checkpoint)).makeModel()
        let dir = URL(fileURLWithPath: out)
        let lock = try FolderLock(dir: dir, holderCommand: "`bridge export-hf`")
        defer { withExtendedLifetime(lock) {} }
        try OutputFolder.refuseReplacing([dir.appendingPathComponent("config.json"), dir.appendingPathComponent("model.safetensors")],
                                         force: force, what: "the export")
        try HFExport.write(model: model, to: dir)
        print("wrote \(dir.appendingPathComponent("config.json").path) and model.safetensors")
    }
}
