import BridgeSupport
import Foundation

/// JSON-lines import/export of examples: one object per line, {"prompt", "trace", "answer"}, trace optional.
public enum JSONL {
    /// A bad line in a JSONL file: names the file, the 1-based line and the fix.
    public struct LineError: Error, CustomStringConvertible, Equatable {
        public let source: String
        public let line: Int
        public let message: String
        public var description: String { "\(source):\(line): \(message)" }
    }

    /// One line per example, keys in the order prompt, trace, answer; "trace" left out when empty.
    public static func text(_ examples: [Example]) -> String {
        var out = ""
        for e in examples {
            out += "{\"prompt\":" + Format.jsonString(e.prompt)
            if !e.trace.isEmpty { out += ",\"trace\":" + Format.jsonString(e.trace) }
            out += ",\"answer\":" + Format.jsonString(e.answer) + "}\n"
        }
        return out
    }

    /// Writes examples atomically.
    public static func write(_ examples: [Example], to url: URL) throws { try AtomicFile.write(text(examples), to: url) }

    /// Parses JSONL text. Blank lines are skipped. Throws `LineError` for the first malformed line
    /// (not an object, missing or non-string prompt/answer, unknown key), then for characters outside
    /// the tokenizer's alphabet (all such characters of the first offending line are listed).
    public static func parse(_ text: String, source: String, tokenizer: Tokenizer = .standard) throws -> [Example] {
        var out: [Example] = []
        let allowed: Set<String> = ["prompt", "trace", "answer"]
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNo = i + 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let object: Any
            do { object = try JSONSerialization.jsonObject(with: Data(line.utf8)) } catch {
                throw LineError(source: source, line: lineNo, message: "not valid JSON. Fix: write one object per line like {\"prompt\":\"A:1+2\",\"trace\":\"1+2+0=03\\n\",\"answer\":\"3\"}")
            }
            guard let dict = object as? [String: Any] else {
                throw LineError(source: source, line: lineNo, message: "expected a JSON object with keys prompt, trace (optional), answer")
            }
            for key in dict.keys.sorted() where !allowed.contains(key) {
                let hint = NearestKey.find(key, in: ["prompt", "trace", "answer"]).map { "; did you mean '\($0)'?" } ?? ""
                throw LineError(source: source, line: lineNo, message: "unknown key '\(key)'\(hint) Fix: use only prompt, trace, answer")
            }
            func field(_ key: String, required: Bool) throws -> String {
                guard let v = dict[key] else {
                    if required { throw LineError(source: source, line: lineNo, message: "missing key '\(key)'. Fix: every line needs prompt and answer") }
                    return ""
                }
                guard let s = v as? String else {
                    throw LineError(source: source, line: lineNo, message: "'\(key)' must be a string. Fix: quote it, e.g. \"\(key)\":\"42\"")
                }
                return s
            }
            var ex = Example(prompt: try field("prompt", required: true), trace: try field("trace", required: false),
                             answer: try field("answer", required: true))
            if !ex.trace.isEmpty, !ex.trace.hasSuffix("\n") { ex.trace += "\n" } // every trace line ends in a newline
            for (key, value) in [("prompt", ex.prompt), ("trace", ex.trace), ("answer", ex.answer)] {
                let bad = tokenizer.unknownCharacters(in: value)
                if !bad.isEmpty {
                    let list = bad.prefix(10).map { "'\(String($0.character).unicodeScalars.map { $0.value < 0x20 ? "U+\(String($0.value, radix: 16))" : String($0) }.joined())' at \($0.position)" }.joined(separator: ", ")
                    throw LineError(source: source, line: lineNo, message: "\(key) has characters outside the alphabet: \(list). Fix: use only digits, + - * / % ( ) = , : . space, newline, A E M R S ('#' only as the answer marker)")
                }
            }
            if ex.answer.contains(Tokenizer.answerMarkerCharacter) || ex.prompt.contains(Tokenizer.answerMarkerCharacter) || ex.trace.contains(Tokenizer.answerMarkerCharacter) {
                throw LineError(source: source, line: lineNo, message: "'#' is the answer marker and may not appear inside prompt, trace or answer")
            }
            if ex.answer.isEmpty || ex.prompt.isEmpty {
                throw LineError(source: source, line: lineNo, message: "prompt and answer must not be empty")
            }
            out.append(ex)
        }
        return out
    }

    /// Reads a JSONL file (errors name the file and line).
    public static func read(_ url: URL, tokenizer: Tokenizer = .standard) throws -> [Example] {
        try parse(try AtomicFile.readText(url, what: "JSONL examples"), source: url.path, tokenizer: tokenizer)
    }
}
