import Tasks
import TensorCore
import Testing

/// A small config so that the suite stays fast in debug builds.
func smallConfig(seed: Int = 7, traceNoise: Double = 0) -> DataConfig {
    var c = DataConfig()
    c.seed = seed; c.sftSize = 300; c.rlSize = 300; c.heldoutSize = 200; c.pretrainProblems = 300
    c.traceNoise = traceNoise
    return c
}

@Suite struct DatasetTests {
    @Test func sameSeedSameBytesDifferentSeedDifferentBytes() throws {
        let a = try TaskDatasets.build(smallConfig())
        let b = try TaskDatasets.build(smallConfig())
        let c = try TaskDatasets.build(smallConfig(seed: 8))
        for name in TaskDatasets.setNames {
            #expect(JSONL.text(a.set(named: name)!) == JSONL.text(b.set(named: name)!), "set \(name) differs between equal seeds")
        }
        #expect(JSONL.text(a.sft) != JSONL.text(c.sft))
        // A set's prefix does not depend on its size.
        var small = smallConfig(); small.sftSize = 50
        #expect(try TaskDatasets.build(small).sft == Array(a.sft.prefix(50)))
    }

    @Test func trainAndTestAreDisjointByContent() throws {
        let d = try TaskDatasets.build(smallConfig())
        let f = smallConfig().fractions
        let corpus = d.pretrain.map { PretrainFacts.example(fromDocument: $0) }.filter { !$0.answer.isEmpty }
        var test: [Example] = []
        for (_, ex) in try BenchmarkSuite.build(BenchmarkConfig(size: 50)) { test += ex }
        #expect((d.sft + d.rl).allSatisfy { Split.of(prompt: $0.prompt, fractions: f) == .train })
        #expect(corpus.allSatisfy { Split.of(prompt: $0.prompt, fractions: f) == .pretrain })
        #expect(d.heldout.allSatisfy { Split.of(prompt: $0.prompt, fractions: f) == .heldout })
        #expect(test.allSatisfy { Split.of(prompt: $0.prompt, fractions: f) == .test })
        // The hash regions are near their nominal fractions on a large problem space.
        let all = (0..<4000).map { "A:\($0)+\($0 % 97)" }
        for (split, nominal) in [(Split.test, 0.2), (.pretrain, 0.35), (.heldout, 0.1), (.train, 0.35)] {
            let frac = Double(all.filter { Split.of(prompt: $0, fractions: f) == split }.count) / 4000
            #expect(abs(frac - nominal) < 0.03, "\(split) fraction \(frac)")
        }
    }

    /// Every pair of groups that must not share a problem, on the sets as generated (small sizes, but
    /// large enough that the small problems recur: with one shared train region, 701 of 1,585 distinct
    /// RL prompts at seed 1 were corpus documents).
    @Test func everyStreamIsDisjointFromTheOthers() throws {
        var c = smallConfig(seed: 1)
        c.rlSize = 1500; c.pretrainProblems = 3000
        let d = try TaskDatasets.build(c)
        let probe = try TaskDatasets.retentionProbe(c, count: 200)
        #expect(probe.count == 200 && Set(probe.map(\.prompt)).count == 200)
        let corpus = Set(d.pretrain.map { PretrainFacts.example(fromDocument: $0) }.filter { !$0.answer.isEmpty }.map(\.prompt))
        var benchmarks: [String: Set<String>] = [:]
        for (b, ex) in try BenchmarkSuite.build(BenchmarkConfig(size: 200)) { benchmarks[b.name] = Set(ex.map(\.prompt)) }
        let groups: [(String, Set<String>)] = [
            ("pretrain", corpus), ("sft", Set(d.sft.map(\.prompt))), ("rl", Set(d.rl.map(\.prompt))),
            ("heldout = probe_sft_only", Set(d.heldout.map(\.prompt))), ("probe_pretrain", Set(probe.map(\.prompt))),
        ] + BenchmarkSuite.names.map { ($0, benchmarks[$0]!) }
        // Pairs allowed to share problems: SFT and RL draw from one distribution on purpose, so do the two
        // unseen probes, and the benchmarks may overlap each other (b1 and b2 share some problem sizes).
        var allowed: Set<String> = ["sft|rl", "heldout = probe_sft_only|probe_pretrain"]
        for a in BenchmarkSuite.names { for b in BenchmarkSuite.names { allowed.insert("\(a)|\(b)") } }
        for i in groups.indices {
            for j in groups.indices where j > i && !allowed.contains("\(groups[i].0)|\(groups[j].0)") {
                let shared = groups[i].1.intersection(groups[j].1)
                #expect(shared.isEmpty, "\(groups[i].0) and \(groups[j].0) share \(shared.count) problems, e.g. \(shared.sorted().first ?? "")")
            }
        }
        // The sizes are large enough that the small problems recur, so the test could fail: without the
        // regions the RL prompts and the corpus would share the single-digit problems.
        #expect(Set(d.rl.map(\.prompt)).count < d.rl.count, "RL prompts never repeat: the test would not see a leak")
    }

    @Test func everyTraceChecksOutStepByStep() throws {
        let d = try TaskDatasets.build(smallConfig())
        var all = d.sft + d.heldout
        for (_, ex) in try BenchmarkSuite.build(BenchmarkConfig(size: 100)) { all += ex }
        let families = Set(all.compactMap { TaskFamily.of(prompt: $0.prompt) })
        #expect(families.count == 3)
        let failures = all.compactMap(TraceChecker.check)
        #expect(failures.isEmpty, "\(failures.count) bad traces, first: \(failures.first ?? "")")
        #expect(Set(d.heldout.map(\.prompt)).count == d.heldout.count, "held-out set has repeated problems")
        // Fixed examples from the docs.
        #expect(AdditionTask.make(478, 56).trace == "8+6+0=14\n7+5+1=13\n4+0+1=05\n")
        #expect(MultiplicationTask.make(347, 6) == Example(prompt: "M:347*6", trace: "7*6+0=42\n4*6+4=28\n3*6+2=20\n", answer: "2082"))
        let tree = ExpressionTask.Node.op("-", .op("*", .op("+", .number(3), .number(4)), .number(2)), .number(5))
        #expect(ExpressionTask.make(tree) == Example(prompt: "E:(3+4)*2-5", trace: "7*2-5\n14-5\n9\n", answer: "9"))
    }

    @Test func traceNoiseCorruptsOneStepInAboutTheRequestedFraction() throws {
        let d = try TaskDatasets.build(smallConfig(traceNoise: 0.3))
        let clean = try TaskDatasets.build(smallConfig())
        let bad = Set(d.sft.indices.filter { TraceChecker.check(d.sft[$0]) != nil })
        #expect(bad == Set(d.corruptedTraces), "checker flags \(bad.count), generator corrupted \(d.corruptedTraces.count): \(Set(d.corruptedTraces).subtracting(bad).map { (d.sft[$0], clean.sft[$0]) })")
        let frac = Double(bad.count) / Double(d.sft.count)
        #expect(abs(frac - 0.3) < 0.08, "corrupted fraction \(frac)")
        for i in d.corruptedTraces {
            let diff = zip(d.sft[i].traceLines, clean.sft[i].traceLines).filter { $0 != $1 }.count
            #expect(diff == 1 && d.sft[i].answer == clean.sft[i].answer, "example \(i) differs in \(diff) lines")
        }
    }

    @Test func sequencesFitTheContexts() throws {
        let t = Tokenizer.standard
        let d = try TaskDatasets.build(smallConfig())
        let trainMax = try (d.sft + d.heldout).map { try t.encode($0).tokens.count }.max()!
        #expect(trainMax <= 64, "default-difficulty sequence of \(trainMax) tokens exceeds the tiny context 64")
        for (b, ex) in try BenchmarkSuite.build(BenchmarkConfig(size: 100)) {
            let m = try ex.map { try t.encode($0).tokens.count }.max()!
            #expect(m <= 128, "benchmark \(b.name): \(m) tokens exceed the small context 128")
            #expect(Set(ex.map(\.prompt)).count == ex.count, "benchmark \(b.name) has repeated problems")
        }
    }

    @Test func badConfigsAreNamed() {
        var c = smallConfig(); c.tasks.families = ["add", "division"]
        #expect(throws: (any Error).self) { try TaskDatasets.build(c) }
        do { _ = try TaskDatasets.build(c) } catch { #expect("\(error)".contains("division")) }
        #expect(throws: (any Error).self) { try BenchmarkSuite.select(["b1_indst"]) }
        do { _ = try BenchmarkSuite.select(["b1_indst"]) } catch { #expect("\(error)".contains("did you mean 'b1_indist'")) }
    }
}
