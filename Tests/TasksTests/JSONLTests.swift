import Tasks
import Testing

@Suite struct JSONLTests {
    @Test func roundTrip() throws {
        let d = try TaskDatasets.build(smallConfig())
        for set in [d.sft, d.rl] {
            let text = JSONL.text(set)
            #expect(try JSONL.parse(text, source: "t") == set)
        }
        #expect(JSONL.text([Example(prompt: "A:1+2", answer: "3")]) == "{\"prompt\":\"A:1+2\",\"answer\":\"3\"}\n")
    }

    func error(_ text: String) -> String {
        do { _ = try JSONL.parse(text, source: "f.jsonl"); return "no error" } catch { return "\(error)" }
    }

    @Test func malformedLinesNameTheirLineNumber() {
        let good = "{\"prompt\":\"A:1+2\",\"answer\":\"3\"}\n"
        #expect(error(good + "\n" + "{\"prompt\":\"A:1+2\"\n").hasPrefix("f.jsonl:3: not valid JSON"))
        #expect(error(good + "[1,2]\n").hasPrefix("f.jsonl:2: expected a JSON object"))
        #expect(error(good + good + "{\"prompt\":\"A:1+2\"}\n").hasPrefix("f.jsonl:3: missing key 'answer'"))
        #expect(error("{\"prompt\":\"A:1+2\",\"answr\":\"3\"}").contains("did you mean 'answer'"))
        #expect(error("{\"prompt\":\"A:1+2\",\"answer\":3}").contains("'answer' must be a string"))
    }

    @Test func charactersOutsideTheAlphabetAreReported() {
        let e = error("{\"prompt\":\"A:1+2\",\"answer\":\"3\"}\n{\"prompt\":\"what is 1+2?\",\"answer\":\"3\"}\n")
        #expect(e.hasPrefix("f.jsonl:2: prompt has characters outside the alphabet: 'w' at 0"), "\(e)")
        #expect(e.contains("'?' at 11"))
    }
}
