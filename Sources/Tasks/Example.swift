/// One problem with its worked solution: the unit of every dataset, benchmark and JSONL line.
///
/// Text layout of a full sequence (what SFT trains on and what a model must generate):
/// ```
/// «BOS» prompt "\n" trace "#" answer «EOS»
/// ```
/// `trace` is zero or more lines, each ending in "\n" (empty for direct answers). The model is given
/// «BOS» prompt "\n" and completes the rest (the completion).
public struct Example: Codable, Sendable, Equatable, Hashable {
    /// The problem text, e.g. "A:47+85" (task tag, colon, problem).
    public var prompt: String
    /// Step-by-step working, one step per line, each line ending in "\n"; "" for a direct answer.
    public var trace: String
    /// The final answer, e.g. "132".
    public var answer: String

    public init(prompt: String, trace: String = "", answer: String) {
        self.prompt = prompt; self.trace = trace; self.answer = answer
    }

    /// The trace's lines without their newlines.
    public var traceLines: [String] { trace.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }

    /// The same problem with its answer given directly (no trace): the pretraining and RL form.
    public var direct: Example { Example(prompt: prompt, trace: "", answer: answer) }

    /// Completion text as written after the prompt line: trace, '#', answer (EOS not included).
    public var completionText: String { trace + String(Tokenizer.answerMarkerCharacter) + answer }
}

/// A tokenized example: prompt tokens (BOS, prompt, newline) and completion tokens (trace, marker, answer, EOS).
public struct TokenizedExample: Sendable, Equatable {
    /// «BOS» prompt "\n": what the model is given.
    public var prompt: [Int32]
    /// trace "#" answer «EOS»: what the model must produce (SFT targets).
    public var completion: [Int32]
    /// prompt + completion.
    public var tokens: [Int32] { prompt + completion }
}

extension Tokenizer {
    /// «BOS» prompt "\n".
    public func encodePrompt(_ prompt: String, context: String = "prompt") throws -> [Int32] {
        [Tokenizer.bos] + (try encode(prompt, context: context)) + [id(of: "\n")!]
    }

    /// Prompt and completion tokens of an example.
    public func encode(_ example: Example, context: String = "example") throws -> TokenizedExample {
        let p = try encodePrompt(example.prompt, context: context + " prompt")
        let t = try encode(example.trace, context: context + " trace")
        let a = try encode(example.answer, context: context + " answer")
        return TokenizedExample(prompt: p, completion: t + [Tokenizer.answerMarker] + a + [Tokenizer.eos])
    }
}
