import BridgeSupport
import Foundation
import GPT
import Tasks

/// The tasks' character tokenizer in Hugging Face `tokenizers` form, so that `AutoTokenizer` encodes a
/// trace to the ids the model was trained on (without it, transformers falls back to GPT-2's BPE, which
/// encodes "A:47+56" to nothing useful) and `pipeline("text-generation")` finds BOS, EOS and PAD.
///
/// A WordLevel model over the 32 ids, a pre-tokenizer that splits every character (`(.|\n)`: the dot
/// alone misses the newline, and tokenizers' regex engine, Oniguruma, has no `(?s)`), BOS prepended like `bridge score` and training sequences, a Fuse decoder that joins
/// characters without spaces; PAD/BOS/EOS are special tokens written `<pad>`, `<bos>`, `<eos>`.
enum HFTokenizerFiles {
    static let pad = "<pad>", bos = "<bos>", eos = "<eos>"

    static var specials: HFExport.SpecialTokens {
        HFExport.SpecialTokens(bos: Int(Tokenizer.bos), eos: Int(Tokenizer.eos), pad: Int(Tokenizer.pad))
    }

    /// Token text of every id, in id order.
    static var vocabulary: [String] {
        [pad, bos, eos] + Tokenizer.standard.characters.map { String($0) }
    }

    static func tokenizerJSON() -> String {
        func added(_ id: Int, _ content: String) -> String {
            "{\"id\": \(id), \"content\": \(Format.jsonString(content)), \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}"
        }
        let vocab = vocabulary.enumerated().map { "\(Format.jsonString($1)): \($0)" }.joined(separator: ", ")
        let bosPiece = "{\"SpecialToken\": {\"id\": \"\(bos)\", \"type_id\": 0}}"
        return """
        {
          "version": "1.0",
          "truncation": null,
          "padding": null,
          "added_tokens": [\(added(0, pad)), \(added(1, bos)), \(added(2, eos))],
          "normalizer": null,
          "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(.|\\n)"}, "behavior": "Isolated", "invert": false},
          "post_processor": {"type": "TemplateProcessing",
            "single": [\(bosPiece), {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [\(bosPiece), {"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"\(bos)": {"id": "\(bos)", "ids": [\(Tokenizer.bos)], "tokens": ["\(bos)"]}}},
          "decoder": {"type": "Fuse"},
          "model": {"type": "WordLevel", "vocab": {\(vocab)}, "unk_token": "<unk>"}
        }

        """
    }

    static func tokenizerConfigJSON(contextLength: Int) -> String {
        """
        {
          "tokenizer_class": "PreTrainedTokenizerFast",
          "bos_token": "\(bos)",
          "eos_token": "\(eos)",
          "pad_token": "\(pad)",
          "model_max_length": \(contextLength),
          "clean_up_tokenization_spaces": false
        }

        """
    }

    static let specialTokensMapJSON = "{\n  \"bos_token\": \"\(bos)\",\n  \"eos_token\": \"\(eos)\",\n  \"pad_token\": \"\(pad)\"\n}\n"

    /// The tokenizer and generation files of one exported model folder.
    static let fileNames = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json"]

    static func write(to dir: URL, config: GPTConfig) throws {
        try AtomicFile.write(tokenizerJSON(), to: dir.appendingPathComponent("tokenizer.json"))
        try AtomicFile.write(tokenizerConfigJSON(contextLength: config.contextLength), to: dir.appendingPathComponent("tokenizer_config.json"))
        try AtomicFile.write(specialTokensMapJSON, to: dir.appendingPathComponent("special_tokens_map.json"))
        try AtomicFile.write(HFExport.generationConfigJSON(config, specials: specials), to: dir.appendingPathComponent("generation_config.json"))
    }
}
