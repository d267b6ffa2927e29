import BridgeSupport
import Foundation
import Studies
import Testing

/// The specs in studies/ parse strictly, answer one question each, and ship quick and paper presets.
@Suite struct ShippedStudiesTests {
    static var studiesDir: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("studies")
    }

    static let expected = ["calibration", "cost", "forgetting", "inner_solve", "lambda_schedules", "lora_rank", "main_table", "reward_noise", "smoke",
                           "theory_bridge_lambda", "theory_inner_solve", "theory_penalty", "theory_toys"]

    @Test func everyShippedSpecParsesWithPresets() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: ShippedStudiesTests.studiesDir.path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(names.map { String($0.dropLast(5)) } == ShippedStudiesTests.expected)
        let readme = try String(contentsOf: ShippedStudiesTests.studiesDir.appendingPathComponent("README.md"), encoding: .utf8)
        for name in names {
            let url = ShippedStudiesTests.studiesDir.appendingPathComponent(name)
            let spec = try StudySpec.parse(yaml: try String(contentsOf: url, encoding: .utf8), source: name)
            #expect(spec.name + ".yaml" == name, "the name key of \(name) must match its file name")
            #expect(spec.presets.map(\.name).contains("quick") && spec.presets.map(\.name).contains("paper"), "\(name) needs quick and paper presets")
            let paper = try spec.effective(preset: "paper", overrides: [])
            #expect(paper.seeds.count >= 5, "\(name): the paper preset needs ≥ 5 seeds")
            #expect(!spec.metrics.isEmpty, "\(name) summarises no metric")
            #expect(readme.contains("## \(spec.name)"), "studies/README.md has no section for \(spec.name)")
        }
    }

    @Test func smokeStudyExpandsWithTheToyKind() throws {
        let url = ShippedStudiesTests.studiesDir.appendingPathComponent("smoke.yaml")
        let spec = try StudySpec.parse(yaml: try String(contentsOf: url, encoding: .utf8), source: "smoke.yaml")
        #expect(try StudyExpansion.expand(try spec.effective(preset: "quick", overrides: []), kind: ToyQuadraticKind()).count == 18)
        #expect(try StudyExpansion.expand(try spec.effective(preset: "paper", overrides: []), kind: ToyQuadraticKind()).count == 60)
    }
}
