import BridgeSupport
import Foundation
import Testing
import Training

/// run.budget: under a data budget every method draws exactly what the plan says, all of the budget it
/// can use, so a comparison is at equal data; the derived fields are consistent and errors name the fix.
@Suite(.serialized) struct BudgetTests {
    /// 3 SFT batches of 4 and 3 RL batches of 2 prompts × 4 responses.
    static let budget = ["run.budget.unit=data", "run.budget.sft_examples=12", "run.budget.rollouts=24", "sft.cold_start_steps=-1"]

    @Test(arguments: ["sft", "rl_zero", "cold_start", "alternating", "mix", "bridge", "chord", "luffy"])
    func everyMethodDrawsItsWholeDataBudget(method: String) throws {
        let c = try TinyRun.config(method, Self.budget)
        let (result, csv) = try TinyRun.run(c, dir: "budget-\(method)")
        #expect(result.status == .finished, "\(result.error ?? "")")
        let expected: (sft: Double, rollouts: Double) = switch method {
        case "sft": (12, 0)
        case "rl_zero": (0, 24)
        // 2 prompts × (4 − 1) sampled rollouts and 2 expert traces per update: the rollouts allow 4 updates,
        // which draw 8 of the 12 SFT examples (LUFFY uses less expert data than the fused methods).
        case "luffy": (8, 24)
        default: (12, 24)
        }
        #expect(result.final[Metric.sftExamples] == expected.sft, "\(method) drew \(result.final[Metric.sftExamples] ?? -1) SFT examples")
        #expect(result.final[Metric.rollouts] == expected.rollouts, "\(method) drew \(result.final[Metric.rollouts] ?? -1) rollouts")
        let plan = try #require(c.dataPlan)
        let drawn = DataPlan.drawn(c, plan: plan)
        #expect(Double(drawn.sftExamples) == expected.sft && Double(drawn.rollouts) == expected.rollouts, "the plan predicts the draw")
        #expect(c.run.steps == ["sft": 3, "rl_zero": 3, "cold_start": 6, "alternating": 6, "mix": 3, "bridge": 3, "chord": 3, "luffy": 4][method])
        #expect(csv.contains(",\(c.run.steps),\(Metric.rollouts),"), "data/ counters are logged with the final evaluation")
    }

    @Test func coldStartSwitchesWhenTheSFTBudgetIsSpent() throws {
        let c = try TinyRun.config("cold_start", Self.budget)
        #expect(c.sft.coldStartSteps == 3 && c.run.steps == 6)
        // A derived config loads again unchanged (what a resume from config.json does).
        let again = try TrainConfig.from(try c.resolvedTree(), source: "config.json")
        #expect(again == c)
    }

    @Test func alternatingSpendsTheRestOfTheLargerBudgetAtTheEnd() {
        var a = AlternatingSection()
        let plan = DataPlan(sftSteps: 2, rlSteps: 5, totalSteps: 7)
        #expect((0..<7).map { a.isSFTStep($0, plan: plan) } == [true, false, true, false, false, false, false])
        let sftHeavy = DataPlan(sftSteps: 4, rlSteps: 1, totalSteps: 5)
        #expect((0..<5).map { a.isSFTStep($0, plan: sftHeavy) } == [true, false, true, true, true])
        a.sftSteps = 2
        #expect((0..<6).map { a.isSFTStep($0, plan: nil) } == [true, true, false, true, true, false], "steps budget: the plain cycle")
    }

    @Test func budgetErrorsNameTheKeyAndTheFix() throws {
        func message(_ method: String, _ extra: [String]) -> String {
            do { _ = try TinyRun.config(method, extra); return "" } catch { return "\(error)" }
        }
        let derived = message("cold_start", ["run.budget.unit=data", "run.budget.sft_examples=12", "run.budget.rollouts=24", "sft.cold_start_steps=1"])
        #expect(derived.contains("sft.cold_start_steps") && derived.contains("derived"), "\(derived)")
        let tooSmall = message("rl_zero", ["run.budget.unit=data", "run.budget.rollouts=7"])
        #expect(tooSmall.contains("run.budget") && tooSmall.contains("no full batch"), "\(tooSmall)")
        let typo = message("sft", ["run.budget.unit=dta"])
        #expect(typo.contains("did you mean 'data'?"), "\(typo)")
    }
}
