import Tasks
import Testing

@Suite struct TokenizerTests {
    @Test func vocabularyIs32AndIdsAreDistinct() {
        let t = Tokenizer.standard
        #expect(t.vocabSize == 32)
        let ids = t.characters.map { t.id(of: $0)! }
        #expect(Set(ids).count == t.characters.count)
        #expect(t.id(of: "#") == Tokenizer.answerMarker)
        #expect(ids.allSatisfy { $0 >= 3 && $0 < 32 })
    }

    @Test func roundTripOfEveryCharacterAndOfExamples() throws {
        let t = Tokenizer.standard
        let text = t.alphabet + "A:478+56\n8+6+0=14\n#534"
        #expect(t.decode(try t.encode(text)) == text)
        let ex = AdditionTask.make(478, 56)
        let tok = try t.encode(ex)
        #expect(tok.prompt.first == Tokenizer.bos && tok.completion.last == Tokenizer.eos)
        #expect(t.decode(tok.tokens) == "«BOS»" + ex.prompt + "\n" + ex.completionText + "«EOS»")
    }

    @Test func unknownCharacterNamesItAndItsPosition() {
        do {
            _ = try Tokenizer.standard.encode("A:12+x3", context: "prompt")
            Issue.record("expected an error")
        } catch let e as Tokenizer.UnknownCharacter {
            #expect(e.character == "x" && e.position == 5)
            #expect(e.description.contains("'x' at position 5"))
        } catch { Issue.record("wrong error \(error)") }
    }
}
