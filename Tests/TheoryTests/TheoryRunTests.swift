import BridgeSupport
import Testing
import Theory

@Suite struct TheoryRunTests {
    static func config(_ experiment: String) -> TheoryConfig {
        var c = TheoryConfig()
        c.experiment = experiment
        c.outer.methods = []
        return c
    }

    /// The headline claim on a small run: the bias slope vs γ is −1 to 1e-3 and p's slope is −2.
    @Test func quadraticBiasSlopesAreNearTheory() throws {
        let o = TheoryRun.run(Self.config("quadratic_bias"), runId: "t")
        #expect(o.result.status == .finished, "\(o.result.error ?? "")")
        let f = o.result.final
        #expect(abs(f["theory/slope_bias_vs_gamma"]! + 1) < 1e-3)
        #expect(abs(f["theory/slope_distance_vs_gamma"]! + 1) < 1e-3)
        #expect(abs(f["theory/slope_penalty_residual_vs_gamma"]! + 2) < 2e-3)
        #expect(f["theory/slope_bias_vs_gamma_expected"] == -1)
    }

    @Test func sameSeedSameBytesDifferentSeedDifferentBytes() {
        var c = Self.config("quadratic_bias")
        c.sweep.gamma = [10, 100, 1000]
        let a = TheoryRun.run(c, runId: "t").recorder.log.csv
        let b = TheoryRun.run(c, runId: "t").recorder.log.csv
        c.seed = 1
        let d = TheoryRun.run(c, runId: "t").recorder.log.csv
        #expect(a == b)
        #expect(a != d)
    }

    @Test func resolveRejectsUnknownKeysAndExperiments() throws {
        let kind = TheoryRunKind()
        #expect(throws: ConfigError.self) { try kind.resolve(.object([("quadratic", .object([("mu_value", .number(1))]))]), source: "t") }
        #expect(throws: ConfigError.self) { try kind.resolve(.object([("experiment", .string("nope"))]), source: "t") }
        let r = try kind.resolve(.object([("experiment", .string("vpbgd_toy"))]), source: "t")
        #expect(r["experiment"] == .string("vpbgd_toy"))
        #expect(r["sweep"]?["gamma"] != nil)
    }

    @Test func toyExperimentsFinishWithTheirClaims() {
        for e in ["vpbgd_toy", "hyper_cleaning", "one_step_proxy"] {
            var c = Self.config(e)
            c.sweep.gamma = [100, 300, 1000, 3000, 10000]
            c.vpbgd.iterations = 200
            c.hyperCleaning.iterations = 5
            let o = TheoryRun.run(c, runId: "t")
            #expect(o.result.status == .finished, "\(e): \(o.result.error ?? "")")
            #expect(!o.recorder.slopes.isEmpty, "\(e) fitted no slope")
        }
    }

    @Test func bomeToyRunsEveryMethod() {
        var c = TheoryConfig()
        c.experiment = "bome_toy"
        c.sweep.k = [1, 10]
        c.bome.iterations = 200
        let o = TheoryRun.run(c, runId: "t")
        #expect(o.result.status == .finished, "\(o.result.error ?? "")")
        let metrics = Set(o.recorder.log.rows.map(\.metric))
        for m in c.outer.methods { #expect(metrics.contains("theory/\(m)/upper_gap"), "missing \(m)") }
    }
}
