import BridgeSupport
import Studies
import Testing

@Suite struct StudySpecTests {
    @Test func parsesEveryPart() throws {
        let spec = try StudySpec.parse(yaml: toySpecText, source: "toy.yaml")
        #expect(spec.name == "toy" && spec.kind == "toy_quadratic" && spec.seeds == [0, 1, 2])
        #expect(spec.axes.grid.map(\.key) == ["method", "learning_rate"])
        #expect(spec.metrics.map(\.metric) == ["train/loss", "eval/toy/fit"])
        #expect(spec.metrics[0].how == [.final, .min, .meanLast(5), .auc])
        #expect(spec.forgetting == ["eval/toy/*"])
        #expect(spec.presets.map(\.name) == ["quick", "paper"])
    }

    @Test func meanFirstNeedsFirstK() throws {
        let with = toySpecText.replacingOccurrences(of: "    how: [final, max]", with: "    how: [final, mean_first]\n    first_k: 4")
        #expect(try StudySpec.parse(yaml: with, source: "t.yaml").metrics[1].how == [.final, .meanFirst(4)])
        let without = toySpecText.replacingOccurrences(of: "    how: [final, max]", with: "    how: [final, mean_first]")
        let e = errorText { _ = try StudySpec.parse(yaml: without, source: "t.yaml") }
        #expect(e.contains("mean_first needs first_k"), "got: \(e)")
    }

    @Test func unknownTopLevelKeyNamesLineAndSuggestion() {
        let text = toySpecText.replacingOccurrences(of: "seeds: 3", with: "sedes: 3")
        let e = errorText { _ = try StudySpec.parse(yaml: text, source: "toy.yaml") }
        #expect(e.contains("toy.yaml:11: 'sedes' is not a known key; did you mean 'seeds'?"), "got: \(e)")
    }

    @Test func unknownNestedKeysNamePath() {
        let e1 = errorText { _ = try StudySpec.parse(yaml: toySpecText.replacingOccurrences(of: "  grid:", with: "  gird:"), source: "t.yaml") }
        #expect(e1.contains("t.yaml:8: 'axes.gird' is not a known key; did you mean 'grid'?"), "got: \(e1)")
        let e2 = errorText { _ = try StudySpec.parse(yaml: toySpecText.replacingOccurrences(of: "    last_k: 5", with: "    lastk: 5"), source: "t.yaml") }
        #expect(e2.contains("t.yaml:15: 'metrics[0].lastk' is not a known key; did you mean 'last_k'?"), "got: \(e2)")
        let e3 = errorText { _ = try StudySpec.parse(yaml: toySpecText.replacingOccurrences(of: "  paper:\n    seeds: 5", with: "  paper:\n    seed: 5"), source: "t.yaml") }
        #expect(e3.contains("'presets.paper.seed' is not a known key; did you mean 'seeds'?"), "got: \(e3)")
    }

    @Test func wrongTypesAndBadValuesAreNamed() {
        let e1 = errorText { _ = try StudySpec.parse(yaml: toySpecText.replacingOccurrences(of: "seeds: 3", with: "seeds: many"), source: "t.yaml") }
        #expect(e1.contains("t.yaml:11: 'seeds' must be a seed count or a list of seeds, found the string 'many'"), "got: \(e1)")
        let e2 = errorText { _ = try StudySpec.parse(yaml: toySpecText.replacingOccurrences(of: "how: [final, max]", with: "how: [final, best]"), source: "t.yaml") }
        #expect(e2.contains("'metrics[1].how[1]'") && e2.contains("unknown summary 'best'"), "got: \(e2)")
        let e3 = errorText { _ = try StudySpec.parse(yaml: toySpecText.replacingOccurrences(of: "learning_rate: [0.05, 0.2]", with: "learning_rate: 0.05"), source: "t.yaml") }
        #expect(e3.contains("t.yaml:10: 'axes.grid.learning_rate' must be a list"), "got: \(e3)")
        let zip = "name: z\nquestion: q\nkind: toy_quadratic\naxes:\n  zip:\n    - dim: [1, 2]\n      steps: [3]\n"
        let e4 = errorText { _ = try StudySpec.parse(yaml: zip, source: "z.yaml") }
        #expect(e4.contains("z.yaml:7: 'axes.zip[0].steps'") && e4.contains("equal lengths"), "got: \(e4)")
        let e5 = errorText { _ = try StudySpec.parse(yaml: "name: z\nquestion: q\nkind: toy_quadratic\naxes:\n  grid:\n    seed: [1, 2]\n", source: "z.yaml") }
        #expect(e5.contains("the seed is not an axis"), "got: \(e5)")
        let e6 = errorText { _ = try StudySpec.parse(yaml: "name: z\nkind: toy_quadratic\n", source: "z.yaml") }
        #expect(e6.contains("'question': required key is missing"), "got: \(e6)")
    }

    @Test func unknownPresetSuggestsNearest() throws {
        let spec = try StudySpec.parse(yaml: toySpecText, source: "toy.yaml")
        let e = errorText { _ = try spec.effective(preset: "quik", overrides: []) }
        #expect(e.contains("'presets.quik' is not a known key; did you mean 'quick'?"), "got: \(e)")
    }

    @Test func presetsAndOverridesPatch() throws {
        let spec = try StudySpec.parse(yaml: toySpecText, source: "toy.yaml")
        let paper = try spec.effective(preset: "paper", overrides: ["noise=0.2", "steps=12"])
        #expect(paper.seeds == [0, 1, 2, 3, 4])
        #expect(paper.base["noise"] == .number(0.2) && paper.base["steps"] == .number(12))
        #expect(paper.preset == "paper" && paper.hash != spec.hash)
        // A string default keeps a numeric-looking override as a string.
        let defaults = try ToyQuadraticKind().resolve(.object([]), source: "d")
        let s = try spec.effective(preset: nil, overrides: ["method=123"], defaults: defaults)
        #expect(s.base["method"] == .string("123"))
    }

    @Test func hashIgnoresQuestionCommentsAndKeyOrder() throws {
        let a = try StudySpec.parse(yaml: toySpecText, source: "a").effective(preset: nil, overrides: [])
        let reworded = ("# a comment\n" + toySpecText)
            .replacingOccurrences(of: "  steps: 30\n  noise: 0.05", with: "  noise: 0.05  # noise\n  steps: 30")
            .replacingOccurrences(of: "question: Does", with: "question: Really, does")
        let b = try StudySpec.parse(yaml: reworded, source: "b").effective(preset: nil, overrides: [])
        #expect(a.hash == b.hash)
        let c = try StudySpec.parse(yaml: toySpecText, source: "c").effective(preset: nil, overrides: ["steps=31"])
        #expect(a.hash != c.hash)
    }

    @Test func dottedBaseKeysArePaths() throws {
        let spec = try StudySpec.parse(yaml: "name: d\nquestion: q\nkind: k\nbase:\n  run.steps: 5\n  run: {seed: 2}\n", source: "d.yaml")
        #expect(spec.base == .object([("run", .object([("steps", .number(5)), ("seed", .number(2))]))]))
    }

    @Test func kindRejectionIsReported() throws {
        let spec = try StudySpec.parse(yaml: toySpecText, source: "toy.yaml").effective(preset: nil, overrides: ["stepz=3"])
        let e = errorText { _ = try StudyExpansion.expand(spec, kind: ToyQuadraticKind()) }
        #expect(e.contains("'stepz' is not a known key; did you mean 'steps'?"), "got: \(e)")
        // Keys written in the spec get their line: under base: and as axis keys.
        let typo = toySpecText.replacingOccurrences(of: "  noise: 0.05", with: "  nois: 0.05")
        let e2 = errorText { _ = try StudyExpansion.expand(try StudySpec.parse(yaml: typo, source: "toy.yaml"), kind: ToyQuadraticKind()) }
        #expect(e2.hasPrefix("toy.yaml:6: 'method=sgd, learning_rate=0.05, seed=0'") && e2.contains("did you mean 'noise'?"), "got: \(e2)")
        let axisTypo = toySpecText.replacingOccurrences(of: "    learning_rate: [0.05, 0.2]", with: "    learnin_rate: [0.05, 0.2]")
        let e3 = errorText { _ = try StudyExpansion.expand(try StudySpec.parse(yaml: axisTypo, source: "toy.yaml"), kind: ToyQuadraticKind()) }
        #expect(e3.hasPrefix("toy.yaml:10: ") && e3.contains("did you mean 'learning_rate'?"), "got: \(e3)")
    }
}
