import Tasks
import Testing

/// Traces in the pretraining corpus (`pretrain_trace_fraction`).
@Suite struct PretrainTraceTests {
    /// Problem documents of a corpus as examples (facts have no answer and are left out).
    func problems(fraction: Double) throws -> [Example] {
        var c = smallConfig(); c.pretrainTraceFraction = fraction; c.pretrainProblems = 400
        return try TaskDatasets.build(c).pretrain.map { PretrainFacts.example(fromDocument: $0) }.filter { !$0.answer.isEmpty }
    }

    @Test func fractionControlsTracedDocumentsAndProblemsStayTheSame() throws {
        let none = try problems(fraction: 0), all = try problems(fraction: 1), quarter = try problems(fraction: 0.25)
        #expect(none.count == 400 && all.count == 400 && quarter.count == 400)
        #expect(none.allSatisfy { $0.trace.isEmpty }, "a trace at fraction 0: \(none.first { !$0.trace.isEmpty }?.prompt ?? "")")
        // Every problem with a non-empty worked solution carries it at fraction 1; the problems themselves
        // (prompt, answer) do not depend on the fraction.
        for i in 0..<400 {
            #expect(none[i].prompt == all[i].prompt && none[i].answer == all[i].answer && quarter[i].prompt == all[i].prompt,
                    "problem \(i) changed with the fraction: \(none[i].prompt) vs \(all[i].prompt)")
            #expect(quarter[i].trace.isEmpty || quarter[i].trace == all[i].trace, "problem \(i): trace \(quarter[i].trace) is not the problem's")
        }
        let withTrace = all.filter { !$0.trace.isEmpty }.count
        #expect(withTrace > 300, "only \(withTrace) of 400 documents carry a trace at fraction 1")
        let q = Double(quarter.filter { !$0.trace.isEmpty }.count) / Double(withTrace)
        #expect(abs(q - 0.25) < 0.08, "traced share \(q) at fraction 0.25")
    }

    @Test func fractionOutsideUnitIntervalIsRejected() throws {
        var c = smallConfig(); c.pretrainTraceFraction = 1.5
        #expect(throws: (any Error).self) { try c.validate() }
    }
}
