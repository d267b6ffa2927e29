import ArgumentParser
import BridgeSupport
import Foundation
import GPT

/// `bridge export-hf`: a checkpoint in Hugging Face GPT2LMHeadModel's layout (LoRA merged), with the
/// character tokenizer and generation config; with LoRA, also θ alone (DIR/base/) and the adapters w as
/// a PEFT adapter (DIR/adapter/), since θ and w are what BRIDGE keeps apart.
struct ExportHF: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-hf",
        abstract: "Export a checkpoint for transformers: GPT2LMHeadModel (LoRA merged), tokenizer, generation config; with LoRA also base/ (θ) + adapter/ (PEFT).",
        discussion: "Load with AutoModelForCausalLM / AutoTokenizer.from_pretrained(DIR), or PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(DIR/base), DIR/adapter); see docs/gpt.md."
    )

    @Option(help: "Checkpoint file written by `bridge init` or training.")
    var checkpoint: String

    @Option(help: "Output folder (created if missing).")
    var out: String

    @Flag(help: "Replace exported files already in the folder.")
    var force = false

    func run() throws {
        let model = try Checkpoint.read(URL(fileURLWithPath: checkpoint)).makeModel()
        let dir = URL(fileURLWithPath: out)
        let lock = try FolderLock(dir: dir, holderCommand: "`bridge export-hf`")
        defer { withExtendedLifetime(lock) {} }
        let base = dir.appendingPathComponent("base"), adapter = dir.appendingPathComponent("adapter")
        let modelFiles = ["config.json", "model.safetensors"] + HFTokenizerFiles.fileNames
        var files = modelFiles.map { dir.appendingPathComponent($0) }
        if model.lora.isEnabled {
            files += modelFiles.map { base.appendingPathComponent($0) }
            files += ["adapter_config.json", "adapter_model.safetensors"].map { adapter.appendingPathComponent($0) }
        }
        try OutputFolder.refuseReplacing(files, force: force, what: "the export")
        let specials = HFTokenizerFiles.specials
        try HFExport.write(model: model, to: dir, specials: specials)
        try HFTokenizerFiles.write(to: dir, config: model.config)
        var wrote = "\(dir.path): config.json, model.safetensors (LoRA merged), tokenizer.json, tokenizer_config.json, special_tokens_map.json, generation_config.json"
        if model.lora.isEnabled {
            try FileManager.default.createDirectory(at: adapter, withIntermediateDirectories: true)
            try HFExport.write(model: model, to: base, merged: false, specials: specials)
            try HFTokenizerFiles.write(to: base, config: model.config)
            try HFExport.writePEFT(model: model, to: adapter, baseModel: "../base")
            wrote += "\n\(base.path): θ alone (the base of the adapter), same files\n\(adapter.path): adapter_config.json, adapter_model.safetensors (PEFT LoRA)"
        }
        print("wrote " + wrote)
    }
}
