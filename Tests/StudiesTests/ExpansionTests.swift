import BridgeSupport
import Studies
import Testing

@Suite struct ExpansionTests {
    static let spec = """
    name: ex
    question: q
    kind: toy_quadratic
    base: {steps: 5}
    axes:
      grid:
        dim: [2, 3]
        noise: [0, 0.1, 0.2]
      zip:
        - learning_rate: [0.1, 0.2, 0.3]
          momentum: [0.5, 0.6, 0.7]
      runs:
        - {method: sgd}
        - {method: heavy_ball, condition: 5}
    seeds: [7, 9]

    """

    @Test func countsAreGridTimesZipTimesRunsTimesSeeds() throws {
        let spec = try StudySpec.parse(yaml: ExpansionTests.spec, source: "ex.yaml")
        let runs = try StudyExpansion.expand(spec, kind: ToyQuadraticKind())
        #expect(runs.count == 2 * 3 * 3 * 2 * 2)
        #expect(Set(runs.map(\.runId)).count == runs.count)
        #expect(spec.axes.variedKeys == ["dim", "noise", "learning_rate", "momentum", "method", "condition"])
        // Seeds innermost, explicit runs outermost.
        #expect(runs[0].seed == 7 && runs[1].seed == 9)
        #expect(runs[0].config["method"] == .string("sgd") && runs.last!.config["method"] == .string("heavy_ball"))
        #expect(runs.last!.config["condition"] == .number(5) && runs[0].config["condition"] == .number(10))
    }

    @Test func idsAreHashesOfResolvedConfigAndStable() throws {
        let spec = try StudySpec.parse(yaml: ExpansionTests.spec, source: "ex.yaml")
        let a = try StudyExpansion.expand(spec, kind: ToyQuadraticKind())
        let b = try StudyExpansion.expand(spec, kind: ToyQuadraticKind())
        #expect(a == b)
        for r in a {
            #expect(r.runId == String(SHA256.hex(r.config.canonicalJSON).prefix(12)))
            #expect(r.config["seed"] == .number(Double(r.seed)))
        }
        // Writing a default explicitly, or reordering keys, does not change the id.
        let reordered = ExpansionTests.spec.replacingOccurrences(of: "base: {steps: 5}", with: "base: {noise: 0.1, eval_every: 5, steps: 5}")
        let c = try StudyExpansion.expand(try StudySpec.parse(yaml: reordered, source: "ex.yaml"), kind: ToyQuadraticKind())
        #expect(c.map(\.runId) == a.map(\.runId))
        // Snapshot: run ids are the resume key of existing result folders; changing them orphans results.
        let one = ConfigValue.object([("kind", .string("toy_quadratic")), ("config", try ToyQuadraticKind().resolve(.object([]), source: "t"))])
        #expect(StudyExpansion.runId(one) == String(SHA256.hex(one["config"]!.canonicalJSON).prefix(12)))
        #expect(one.canonicalJSON == #"{"config":{"condition":10,"dim":8,"eval_every":5,"fail_at_step":-1,"learning_rate":0.1,"method":"sgd","momentum":0.9,"noise":0.1,"seed":0,"sleep_ms":0,"steps":60},"kind":"toy_quadratic"}"#)
    }

    @Test func duplicateRunsAreRefused() throws {
        let text = "name: d\nquestion: q\nkind: toy_quadratic\naxes:\n  grid:\n    dim: [8, 8.0]\n"
        let e = errorText { _ = try StudyExpansion.expand(try StudySpec.parse(yaml: text, source: "d.yaml"), kind: ToyQuadraticKind()) }
        #expect(e.contains("resolves to the same config as dim=8, seed=0"), "got: \(e)")
    }
}
