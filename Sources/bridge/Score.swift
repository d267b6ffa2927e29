import ArgumentParser
import BridgeSupport
import Foundation
import GPT
import Tasks

/// `bridge score`: per-token log-probabilities of a token sequence under a checkpoint, as JSON.
struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print {\"tokens\", \"logprobs\", \"mean_loss\"} where logprobs[t] = log p(token[t+1] | tokens[0...t]).",
        discussion: """
            --text is encoded with the tasks' character tokenizer (Tokenizer.standard) and, like training             sequences, starts with BOS (id 1) unless --no-bos. --file prints one JSON object per non-empty             line (token ids separated by commas or spaces).
            """
    )

    @Option(help: "Checkpoint file.")
    var checkpoint: String

    @Option(help: "Comma-separated token ids, e.g. 3,17,5.")
    var tokens: String?

    @Option(help: "Text, encoded with the character tokenizer of the tasks (BOS prepended).")
    var text: String?

    @Flag(help: "With --text: do not prepend the BOS token.")
    var noBos = false

    @Option(help: "File with one sequence of token ids per line.")
    var file: String?

    @Flag(help: "Also print \"logits\": the (T, V) next-token logits at every position.")
    var logits = false

    func validate() throws {
        if [tokens, text, file].compactMap({ $0 }).count != 1 {
            throw ValidationError("give exactly one of --tokens, --text or --file. Fix: e.g. --tokens 3,17,5")
        }
    }

    static func parseIDs(_ text: String, source: String) throws -> [Int32] {
        let parts = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" })
        return try parts.map { p in
            guard let v = Int32(p) else { throw ValidationError("\(source): '\(p)' is not a token id. Fix: use integers separated by commas") }
            return v
        }
    }

    /// JSON for one sequence.
    static func score(_ model: GPTModel, _ ids: [Int32], source: String, logits: Bool = false) throws -> String {
        let V = model.config.vocabSize, n = ids.count
        guard n >= 2 else { throw ValidationError("\(source): need at least 2 tokens to score, got \(n)") }
        guard n <= model.config.contextLength else {
            throw ValidationError("\(source): \(n) tokens exceed the context length \(model.config.contextLength). Fix: shorten the sequence")
        }
        if let bad = ids.first(where: { $0 < 0 || Int($0) >= V }) {
            throw ValidationError("\(source): token id \(bad) is outside 0..<\(V) (the model's vocabulary)")
        }
        let targets = Array(ids.dropFirst()) + [-1]
        let out = model.forward(tokens: ids, targets: targets, B: 1, T: n)
        let lp = out.logprobs.prefix(n - 1)
        return "{\"tokens\": [" + ids.map(String.init).joined(separator: ", ") + "], \"logprobs\": ["
            + lp.map { Format.number($0) }.joined(separator: ", ") + "], \"mean_loss\": " + Format.number(out.meanLoss)
            + (logits ? ", \"logits\": " + logitsJSON(model.lastLogits(), V: V) : "") + "}"
    }

    static func logitsJSON(_ z: [Float], V: Int) -> String {
        "[" + stride(from: 0, to: z.count, by: V).map { i in
            "[" + z[i..<(i + V)].map { Format.number($0) }.joined(separator: ", ") + "]"
        }.joined(separator: ", ") + "]"
    }

    func run() throws {
        let model = try Checkpoint.read(URL(fileURLWithPath: checkpoint)).makeModel()
        if let tokens {
            print(try Score.score(model, try Score.parseIDs(tokens, source: "--tokens"), source: "--tokens", logits: logits))
        } else if let text {
            let ids = (noBos ? [] : [Tokenizer.bos]) + (try Tokenizer.standard.encode(text, context: "--text"))
            print(try Score.score(model, ids, source: "--text", logits: logits))
        } else if let file {
            let text = try AtomicFile.readText(URL(fileURLWithPath: file), what: "--file")
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                let src = "\(file):\(i + 1)"
                print(try Score.score(model, try Score.parseIDs(String(line), source: src), source: src, logits: logits))
            }
        }
    }
}
