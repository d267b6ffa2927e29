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

    /// Token ids separated by commas and/or blanks; an empty field between commas ("1,,4") is an
    /// error, not silently dropped (a missing id would shift every later position).
    static func parseIDs(_ text: String, source: String) throws -> [Int32] {
        let fields = text.split(separator: ",", omittingEmptySubsequences: false)
        var ids: [Int32] = []
        for (i, field) in fields.enumerated() {
            let parts = field.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if parts.isEmpty && fields.count > 1 {
                throw ValidationError("\(source): field \(i + 1) of '\(text)' is empty (two commas in a row, or a comma at an end). Fix: write integers separated by single commas, e.g. 3,17,5")
            }
            for p in parts {
                guard let v = Int32(p) else { throw ValidationError("\(source): '\(p)' is not a token id. Fix: use integers separated by commas") }
                ids.append(v)
            }
        }
        return ids
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
        let out = model.forward(tokens: ids, targets: targets, B: 1, T: n, backwardFollows: false)
        let lp = out.logprobs.prefix(n - 1)
        return "{\"tokens\": [" + ids.map(String.init).joined(separator: ", ") + "], \"logprobs\": ["
            + lp.map { Format.jsonNumber($0) }.joined(separator: ", ") + "], \"mean_loss\": " + Format.jsonNumber(out.meanLoss)
            + (logits ? ", \"logits\": " + logitsJSON(model.lastLogits(), V: V) : "") + "}"
    }

    static func logitsJSON(_ z: [Float], V: Int) -> String {
        "[" + stride(from: 0, to: z.count, by: V).map { i in
            "[" + z[i..<(i + V)].map { Format.jsonNumber($0) }.joined(separator: ", ") + "]"
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
