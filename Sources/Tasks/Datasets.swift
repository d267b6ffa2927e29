import TensorCore

/// The four datasets of one data config: SFT, RL prompts, held-out SFT and the pretraining corpus.
///
/// Streams: `RNG(seed).derive("tasks")` then `.derive("sft" | "rl" | "heldout" | "pretrain")`; item i of
/// a set is `TaskGenerator.example(stream:split:index: i)`, so a set's prefix does not depend on its size.
/// Regions (`Split`): sft and rl from `train`, heldout (and the probes) from `heldout`, the corpus from
/// `pretrain`, benchmarks from `test`; so no two of these groups share a problem, whatever the seeds.
public struct TaskDatasets: Sendable, Equatable {
    /// SFT examples (prompt, trace, answer), train region; some traces corrupted if trace_noise > 0.
    public var sft: [Example]
    /// RL prompts with reference answers (trace empty), train region.
    public var rl: [Example]
    /// Held-out SFT examples, held-out region, clean traces, distinct problems.
    public var heldout: [Example]
    /// Pretraining documents: "prompt\n#answer" problems (pretrain region) and single-digit facts "7+5=12".
    public var pretrain: [String]
    /// Indices of SFT examples whose trace was corrupted.
    public var corruptedTraces: [Int]

    /// Names of the sets (CLI and export).
    public static let setNames = ["sft", "rl", "heldout", "pretrain"]

    /// Builds every set of a config.
    public static func build(_ config: DataConfig, source: String = "data") throws -> TaskDatasets {
        try config.validate(source: source)
        let gen = try TaskGenerator(difficulty: config.tasks, fractions: config.fractions, source: source)
        let root = RNG(seed: UInt64(bitPattern: Int64(config.seed))).derive("tasks")
        var sft = try gen.examples(stream: root.derive("sft"), split: .train, count: config.sftSize)
        var corrupted: [Int] = []
        if config.traceNoise > 0 {
            let noise = root.derive("trace_noise")
            for i in sft.indices {
                var rng = noise.derive("example", UInt64(i))
                guard rng.bernoulli(config.traceNoise), let bad = TraceNoise.corrupt(sft[i], rng: &rng) else { continue }
                sft[i] = bad
                corrupted.append(i)
            }
        }
        let rl = try gen.examples(stream: root.derive("rl"), split: .train, count: config.rlSize).map(\.direct)
        let heldout = try gen.uniqueExamples(stream: root.derive("heldout"), split: .heldout, count: config.heldoutSize, source: source + ": heldout_size")
        let problems = try gen.examples(stream: root.derive("pretrain"), split: .pretrain, count: config.pretrainProblems)
        let traced = root.derive("pretrain_trace")
        var pretrain = problems.indices.map { i -> String in
            let p = problems[i]
            var rng = traced.derive("doc", UInt64(i))
            let trace = config.pretrainTraceFraction > 0 && rng.bernoulli(config.pretrainTraceFraction) ? p.trace : ""
            return p.prompt + "\n" + trace + String(Tokenizer.answerMarkerCharacter) + p.answer
        }
        for _ in 0..<config.pretrainFactCopies { pretrain += PretrainFacts.all }
        return TaskDatasets(sft: sft, rl: rl, heldout: heldout, pretrain: pretrain, corruptedTraces: corrupted)
    }

    /// The RL problems of `config` with their worked traces: the same problems as `build(config).rl`, in
    /// the same order (same generator stream), before the trace is dropped. LUFFY's off-policy expert trace
    /// for RL prompt i (docs/training.md): the RL set stores no trace, so it is generated again here. Clean
    /// traces: data.dataset.trace_noise corrupts the SFT set only.
    public static func rlWithTraces(_ config: DataConfig, source: String = "data") throws -> [Example] {
        let gen = try TaskGenerator(difficulty: config.tasks, fractions: config.fractions, source: source)
        let root = RNG(seed: UInt64(bitPattern: Int64(config.seed))).derive("tasks")
        return try gen.examples(stream: root.derive("rl"), split: .train, count: config.rlSize)
    }

    /// `count` distinct unseen problems with direct answers for the pretraining-retention probe: the
    /// held-out region (never trained on, never a benchmark problem), stream
    /// `RNG(seed).derive("tasks").derive("probe_pretrain")`. It may share problems with the held-out set
    /// (both are unseen): skipping those skewed the probe towards hard problems, because the 500 held-out
    /// problems take most of the region's few single-digit ones (measured: 0.045 vs 0.175 for
    /// probe_sft_only on the same base model). Prefix-stable in `count`.
    public static func retentionProbe(_ config: DataConfig, count: Int, source: String = "data") throws -> [Example] {
        guard count > 0 else { return [] }
        let gen = try TaskGenerator(difficulty: config.tasks, fractions: config.fractions, source: source)
        let stream = RNG(seed: UInt64(bitPattern: Int64(config.seed))).derive("tasks").derive("probe_pretrain")
        return try gen.uniqueExamples(stream: stream, split: .heldout, count: count, source: source + ": probe").map(\.direct)
    }

    /// The region each named set is drawn from.
    public static func split(ofSet name: String) -> Split? {
        switch name {
        case "sft", "rl": return .train
        case "heldout": return .heldout
        case "pretrain": return .pretrain
        default: return nil
        }
    }

    /// A named set as examples (pretraining documents become prompt-only examples with empty answers).
    public func set(named name: String) -> [Example]? {
        switch name {
        case "sft": return sft
        case "rl": return rl
        case "heldout": return heldout
        case "pretrain": return pretrain.map { PretrainFacts.example(fromDocument: $0) }
        default: return nil
        }
    }
}

/// The simple facts the tasks are built from: every single-digit sum and product.
public enum PretrainFacts {
    /// "a+b=c" and "a*b=c" for a, b in 0...9 (200 lines, fixed order).
    public static let all: [String] = {
        var out: [String] = []
        for a in 0...9 { for b in 0...9 { out.append("\(a)+\(b)=\(a + b)") } }
        for a in 0...9 { for b in 0...9 { out.append("\(a)*\(b)=\(a * b)") } }
        return out
    }()

    /// A pretraining document as an example: "prompt\ntrace#answer" splits at the newline and marker; a fact is all prompt.
    public static func example(fromDocument doc: String) -> Example {
        if let nl = doc.firstIndex(of: "\n"), let mark = doc.firstIndex(of: Tokenizer.answerMarkerCharacter), mark > nl {
            return Example(prompt: String(doc[..<nl]), trace: String(doc[doc.index(after: nl)..<mark]),
                           answer: String(doc[doc.index(after: mark)...]))
        }
        return Example(prompt: doc, trace: "", answer: "")
    }
}

/// One corrupted step in a trace: a digit of one line's result changed to another digit.
public enum TraceNoise {
    /// The example with one digit in the result part (after '=', or the whole line if none) of a uniformly
    /// chosen line replaced by a different digit; nil when the trace has no digit to corrupt.
    public static func corrupt(_ ex: Example, rng: inout RNG) -> Example? {
        var lines = ex.traceLines
        guard !lines.isEmpty else { return nil }
        let li = rng.int(below: lines.count)
        var chars = Array(lines[li])
        let start = (chars.firstIndex(of: "=").map { $0 + 1 }) ?? 0
        let positions = (start..<chars.count).filter { chars[$0].isNumber }
        guard !positions.isEmpty else { return nil }
        let p = positions[rng.int(below: positions.count)]
        let old = Int(String(chars[p]))!
        let new = (old + 1 + rng.int(below: 9)) % 10
        chars[p] = Character(String(new))
        lines[li] = String(chars)
        return Example(prompt: ex.prompt, trace: lines.map { $0 + "\n" }.joined(), answer: ex.answer)
    }
}
