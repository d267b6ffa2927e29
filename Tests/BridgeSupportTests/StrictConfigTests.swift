import BridgeSupport
import Testing

struct Inner: Codable, Equatable { var groupSize = 8; var clip = 0.2; var name = "grpo"
    enum CodingKeys: String, CodingKey { case groupSize = "group_size", clip, name } }
struct Outer: Codable, Equatable { var seed = 1; var rl = Inner(); var tags: [String] = [] }

@Suite struct StrictConfigTests {
    @Test func defaultsWhenEmpty() throws {
        let c = try StrictConfig.load(Outer.self, defaults: Outer(), yamlText: nil, source: "t")
        #expect(c == Outer())
    }

    @Test func yamlAndOverridesMerge() throws {
        let c = try StrictConfig.load(Outer.self, defaults: Outer(), yamlText: "seed: 3\nrl:\n  clip: 0.1\ntags: [a, b]\n",
                                      source: "t.yaml", overrides: ["rl.group_size=4", "rl.name=123"])
        #expect(c.seed == 3 && c.rl.clip == 0.1 && c.rl.groupSize == 4 && c.rl.name == "123" && c.tags == ["a", "b"])
    }

    @Test func unknownKeyNamesPathLineAndSuggestion() {
        do {
            _ = try StrictConfig.load(Outer.self, defaults: Outer(), yamlText: "seed: 3\nrl:\n  grop_size: 4\n", source: "t.yaml")
            Issue.record("expected an error")
        } catch let e as ConfigError {
            #expect(e.description.contains("t.yaml:3: 'rl.grop_size' is not a known key; did you mean 'group_size'?"))
        } catch { Issue.record("wrong error \(error)") }
    }

    @Test func wrongTypeIsNamed() {
        #expect(throws: ConfigError.self) {
            _ = try StrictConfig.load(Outer.self, defaults: Outer(), yamlText: "rl:\n  clip: high\n", source: "t.yaml")
        }
        do {
            _ = try StrictConfig.load(Outer.self, defaults: Outer(), yamlText: nil, source: "t", overrides: ["rl.clip=abc"])
        } catch let e as ConfigError {
            #expect(e.description.contains("'rl.clip' must be a number, found the string 'abc'"))
        } catch { Issue.record("wrong error \(error)") }
    }

    @Test func canonicalJSONIsOrderIndependent() throws {
        let a = try ConfigValue.parseYAML("b: 1\na: [1, 2.5]\n", source: "a").value
        let b = try ConfigValue.parseYAML("a: [1, 2.5]\nb: 1\n", source: "b").value
        #expect(a.canonicalJSON == b.canonicalJSON)
        #expect(a.canonicalJSON == "{\"a\":[1,2.5],\"b\":1}")
    }

    @Test func nearestKey() {
        #expect(NearestKey.find("lamda", in: ["lambda", "seed"]) == "lambda")
        #expect(NearestKey.find("zzzzzz", in: ["lambda", "seed"]) == nil)
    }

    @Test func csvRoundTrip() {
        var t = CSVTable(columns: ["a", "b"])
        t.append([.text("x,y"), .number(0.1)])
        let parsed = CSVTable.parse(t.text)
        #expect(parsed.header == ["a", "b"])
        #expect(parsed.rows == [["x,y", "0.1"]])
    }
}
