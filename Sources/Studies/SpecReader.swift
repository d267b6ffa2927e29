import BridgeSupport

/// Strict reading of a hand-written YAML tree: every accessor knows its key path and line, so that an
/// unknown key or a wrong type becomes a `ConfigError` naming the path, the line and the nearest valid key.
public struct SpecReader: Sendable {
    public let source: String
    public let lines: [String: Int]

    public init(source: String, lines: [String: Int]) { self.source = source; self.lines = lines }

    func line(_ path: String) -> Int? { lines[path] }

    /// Child path of `path` for `key` (top level has no prefix).
    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// The pairs of a mapping, refusing keys outside `allowed`.
    func mapping(_ value: ConfigValue, at path: String, allowed: [String]? = nil) throws -> [(String, ConfigValue)] {
        guard case let .object(pairs) = value else {
            throw ConfigError.wrongType(source: source, path: path.isEmpty ? "(top level)" : path, line: line(path),
                                        expected: "a mapping", found: SpecReader.describe(value))
        }
        if let allowed {
            for (key, _) in pairs where !allowed.contains(key) {
                let p = SpecReader.join(path, key)
                throw ConfigError.unknownKey(source: source, path: p, line: line(p),
                                             suggestion: NearestKey.find(key, in: allowed), valid: allowed)
            }
        }
        return pairs
    }

    func string(_ value: ConfigValue, at path: String) throws -> String {
        guard case let .string(s) = value else { throw wrong(value, at: path, expected: "a string") }
        return s
    }

    func int(_ value: ConfigValue, at path: String, minimum: Int = Int.min) throws -> Int {
        guard case let .number(x) = value, x == x.rounded(), abs(x) < 1e15 else {
            throw wrong(value, at: path, expected: "an integer")
        }
        guard Int(x) >= minimum else {
            throw invalid(at: path, "must be at least \(minimum), found \(Int(x))", fix: "use a value ≥ \(minimum)")
        }
        return Int(x)
    }

    func list(_ value: ConfigValue, at path: String) throws -> [ConfigValue] {
        guard case let .array(items) = value else { throw wrong(value, at: path, expected: "a list") }
        return items
    }

    func wrong(_ value: ConfigValue, at path: String, expected: String) -> ConfigError {
        .wrongType(source: source, path: path, line: line(path), expected: expected, found: SpecReader.describe(value))
    }

    func invalid(at path: String, _ message: String, fix: String) -> ConfigError {
        .invalid(source: source, path: path, line: line(path), message: message, fix: fix)
    }

    static func describe(_ v: ConfigValue) -> String {
        switch v {
        case let .string(s): return "the string '\(s)'"
        case let .number(n): return "the number \(Format.number(n))"
        case let .bool(b): return "\(b)"
        default: return v.kindName
        }
    }
}
