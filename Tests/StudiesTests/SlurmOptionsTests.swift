import BridgeSupport
import Studies
import Testing

/// The `slurm:` section of a spec: strict like the rest, layered (spec, preset, flags), and never part
/// of what identifies the study's runs.
@Suite struct SlurmOptionsTests {
    static let withSlurm = toySpecText
        .replacingOccurrences(of: "presets:\n", with: """
            slurm:
              partition: cpu
              time: 90
              mem: 2G
              sbatch_args: [--constraint=avx2]
            presets:

            """)
        .replacingOccurrences(of: "  paper:\n    seeds: 5", with: "  paper:\n    seeds: 5\n    slurm: {time: \"1-00:00:00\", max_running: 4}")

    @Test func slurmSectionChangesNeitherTheHashNorTheRunIds() throws {
        for preset in [nil, "quick", "paper"] {
            let plain = try StudySpec.parse(yaml: toySpecText, source: "a.yaml").effective(preset: preset, overrides: [])
            let slurm = try StudySpec.parse(yaml: SlurmOptionsTests.withSlurm, source: "b.yaml").effective(preset: preset, overrides: [])
            #expect(slurm.slurm != SlurmOptions(), "the section was not read")
            #expect(plain.hash == slurm.hash, "preset \(preset ?? "none")")
            #expect(try StudyExpansion.expand(plain, kind: ToyQuadraticKind()).map(\.runId)
                    == StudyExpansion.expand(slurm, kind: ToyQuadraticKind()).map(\.runId))
        }
    }

    @Test func presetThenFlagsOverrideTheSpecAndSbatchArgumentsAccumulate() throws {
        let base = try StudySpec.parse(yaml: SlurmOptionsTests.withSlurm, source: "s.yaml")
        let quick = try base.effective(preset: "quick", overrides: []).slurm
        #expect(quick.partition == "cpu" && quick.time == "90" && quick.memory == "2G" && quick.maxRunning == nil)
        let paper = try base.effective(preset: "paper", overrides: []).slurm
        #expect(paper.partition == "cpu" && paper.time == "1-00:00:00" && paper.maxRunning == 4)
        var flags = SlurmOptions()
        flags.time = "30"; flags.sbatchArgs = ["--exclusive"]
        let final = paper.overridden(by: flags)
        #expect(final.time == "30" && final.partition == "cpu" && final.maxRunning == 4)
        #expect(final.sbatchArgs == ["--constraint=avx2", "--exclusive"])
    }

    @Test func unknownKeysAndBadValuesNameTheKeyTheLineAndTheFix() {
        func error(_ line: String, _ replacement: String) -> String {
            errorText { _ = try StudySpec.parse(yaml: SlurmOptionsTests.withSlurm.replacingOccurrences(of: line, with: replacement), source: "s.yaml") }
        }
        let e1 = error("  partition: cpu", "  partiton: cpu")
        #expect(e1.contains("s.yaml:20: 'slurm.partiton' is not a known key; did you mean 'partition'?"), "got: \(e1)")
        let e2 = error("  partition: cpu", "  cpus_per_tsk: 2")
        #expect(e2.contains("'slurm.cpus_per_tsk' is not a known key; did you mean 'cpus_per_task'?"), "got: \(e2)")
        let e3 = error("  time: 90", "  time: 1:xx")
        #expect(e3.contains("'slurm.time'") && e3.contains("is not a Slurm time limit") && e3.contains("Fix:"), "got: \(e3)")
        let e4 = error("  mem: 2G", "  mem: lots")
        #expect(e4.contains("'slurm.mem'") && e4.contains("not a Slurm memory size"), "got: \(e4)")
        let e5 = error("  sbatch_args: [--constraint=avx2]", "  sbatch_args: [--array=0-9]")
        #expect(e5.contains("'slurm.sbatch_args'") && e5.contains("bridge sets --array itself"), "got: \(e5)")
        let e6 = error("  partition: cpu", "  cpus_per_task: 0")
        #expect(e6.contains("'slurm.cpus_per_task'") && e6.contains("at least 1"), "got: \(e6)")
        let e7 = errorText {
            _ = try StudySpec.parse(yaml: SlurmOptionsTests.withSlurm.replacingOccurrences(of: "max_running: 4", with: "max_runing: 4"), source: "s.yaml")
        }
        #expect(e7.contains("'presets.paper.slurm.max_runing' is not a known key; did you mean 'max_running'?"), "got: \(e7)")
    }

    @Test func slurmTimeFormatsAreReadAsSlurmReadsThem() {
        let cases: [(String, Int?)] = [
            ("90", 5400), ("1:30", 90), ("2:00:00", 7200), ("1-0", 86400), ("1-2:30", 95400), ("1-00:00:01", 86401),
            ("", nil), ("abc", nil), ("1:2:3:4", nil), ("-1", nil), ("1-", nil), ("1:-5", nil),
        ]
        for (text, seconds) in cases { #expect(SlurmOptions.seconds(ofTime: text) == seconds, "\(text)") }
    }

    @Test func squeueRangesExpandToTheirTasks() {
        #expect(SlurmQueue.expand("12_[3-5,8%2]") == ["12_3", "12_4", "12_5", "12_8"])
        #expect(SlurmQueue.expand("12_7") == ["12_7"])
        #expect(SlurmQueue.expand("13") == ["13"])
    }
}
