import Foundation
import Testing
import Training

@Suite struct LambdaScheduleTests {
    func schedule(_ kind: LambdaScheduleKind, _ edit: (inout LambdaSection) -> Void = { _ in }) -> LambdaSchedule {
        var c = LambdaSection(); c.schedule = kind; edit(&c)
        return LambdaSchedule(c, runSteps: 100)
    }

    @Test func constant() { #expect((0..<100).allSatisfy { schedule(.constant).value(atStep: $0) == 0.5 }) }

    @Test func linearGoesFromLambda0ToMaxOverNSteps() {
        let s = schedule(.linear) { $0.lambda0 = 0; $0.lambdaMax = 1; $0.steps = 10 }
        #expect(s.value(atStep: 0) == 0 && s.value(atStep: 5) == 0.5 && s.value(atStep: 10) == 1 && s.value(atStep: 50) == 1)
        let r = schedule(.linear) { $0.lambda0 = 0.2; $0.lambdaMax = 0.6 } // N = run length 100
        #expect(abs(r.value(atStep: 25) - 0.3) < 1e-15)
    }

    @Test func cosineStartsAtLambda0EndsAtMaxPassesMidpoint() {
        let s = schedule(.cosine) { $0.lambda0 = 0.2; $0.lambdaMax = 1; $0.steps = 20 }
        #expect(abs(s.value(atStep: 0) - 0.2) < 1e-15 && abs(s.value(atStep: 10) - 0.6) < 1e-12 && s.value(atStep: 20) == 1)
        #expect((0..<20).allSatisfy { s.value(atStep: $0) <= s.value(atStep: $0 + 1) }, "monotone")
    }

    @Test func exponentialMatchesClosedForm() {
        let s = schedule(.exponential) { $0.lambda0 = 0.3; $0.gamma = 0.9 }
        for k in [0, 1, 7, 40] {
            let expected = 1 - 0.7 * pow(0.9, Double(k))
            #expect(abs(s.value(atStep: k) - expected) < 1e-15, "k = \(k): \(s.value(atStep: k)) vs \(expected)")
        }
    }

    @Test func stepChangesAtMilestones() {
        let s = schedule(.step) { $0.lambda0 = 0.1; $0.milestones = [10, 30]; $0.values = [0.5, 0.9] }
        #expect([0, 9, 10, 29, 30, 99].map { s.value(atStep: $0) } == [0.1, 0.1, 0.5, 0.5, 0.9, 0.9])
    }
}
