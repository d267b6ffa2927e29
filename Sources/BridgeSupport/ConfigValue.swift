import Foundation
import Yams

/// A JSON/YAML value with ordered object keys: the common form of every config, spec and override.
///
/// Configs are decoded in three steps so that defaults live in one place (the Swift struct's property
/// initialisers): encode the default instance to a `ConfigValue`, check and merge the user's values over
/// it (unknown keys and wrong types are errors naming the key path), then decode the merged tree.
public indirect enum ConfigValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ConfigValue])
    case object([(String, ConfigValue)])

    public static func == (lhs: ConfigValue, rhs: ConfigValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// A short name of the value's kind, for error messages.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "a mapping"
        }
    }

    public subscript(key: String) -> ConfigValue? {
        guard case let .object(pairs) = self else { return nil }
        return pairs.first(where: { $0.0 == key })?.1
    }

    public var objectPairs: [(String, ConfigValue)]? {
        if case let .object(p) = self { return p }
        return nil
    }
}

// MARK: - Conversion to and from Codable types

extension ConfigValue {
    /// Encodes any Encodable (a config struct) to a tree (object keys sorted).
    public static func encode<T: Encodable>(_ value: T) throws -> ConfigValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = try encoder.encode(value)
        return try parseYAML(String(decoding: data, as: UTF8.self), source: "\(T.self)").value
    }

    /// Decodes a tree into a Decodable type; decoding errors name the key path.
    public func decode<T: Decodable>(_ type: T.Type, source: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(T.self, from: Data(canonicalJSON.utf8))
        } catch let error as DecodingError {
            if let culprit = integerCulprit(T.self, decoder: decoder) {
                let (path, n) = culprit
                let outOfRange = n.rounded() == n
                throw ConfigError.invalid(source: source, path: path, line: nil,
                                          message: outOfRange ? "\(Format.number(n)) is out of range for an integer" : "must be an integer, found \(Format.number(n))",
                                          fix: outOfRange ? "use a whole number of reasonable size" : "use a whole number, e.g. \(Format.number(max(0, n.rounded(.down))))")
            }
            throw ConfigError.decoding(source: source, error)
        }
    }

    /// Foundation reports a fraction or a huge number in an integer field as "The given data was not
    /// valid JSON" without a key. Finds the key: replaces the numbers an integer field cannot hold
    /// (fractions, beyond ±2⁵³), one after another, by 0 until the decode succeeds; the last one replaced
    /// is the culprit. Only runs after a failed decode.
    func integerCulprit<T: Decodable>(_ type: T.Type, decoder: JSONDecoder) -> (String, Double)? {
        var suspects: [(String, Double)] = []
        func walk(_ v: ConfigValue, _ path: String) {
            switch v {
            case let .number(n) where n.isFinite && (n.rounded() != n || abs(n) > 9_007_199_254_740_992): suspects.append((path, n))
            case let .array(a): for (i, x) in a.enumerated() { walk(x, path + "[\(i)]") }
            case let .object(p): for (k, x) in p { walk(x, path.isEmpty ? k : path + "." + k) }
            default: break
            }
        }
        walk(self, "")
        var tree = self
        for (path, n) in suspects {
            tree = tree.replacing(path: path, with: .number(0))
            if (try? decoder.decode(T.self, from: Data(tree.canonicalJSON.utf8))) != nil { return (path, n) }
        }
        return nil
    }

    /// The tree with the value at a dotted path (as `integerCulprit` writes it) replaced.
    func replacing(path: String, with new: ConfigValue) -> ConfigValue {
        var keys: [String] = []
        var current = ""
        for ch in path {
            if ch == "." || ch == "[" { if !current.isEmpty { keys.append(current) }; current = ch == "[" ? "[" : "" }
            else if ch == "]" { keys.append(current + "]"); current = "" }
            else { current.append(ch) }
        }
        if !current.isEmpty { keys.append(current) }
        func go(_ v: ConfigValue, _ rest: ArraySlice<String>) -> ConfigValue {
            guard let k = rest.first else { return new }
            if k.hasPrefix("["), case var .array(a) = v, let i = Int(k.dropFirst().dropLast()), i < a.count {
                a[i] = go(a[i], rest.dropFirst()); return .array(a)
            }
            if case var .object(p) = v, let i = p.firstIndex(where: { $0.0 == k }) {
                p[i].1 = go(p[i].1, rest.dropFirst()); return .object(p)
            }
            return v
        }
        return go(self, keys[...])
    }

    /// Canonical JSON text: keys sorted, numbers in shortest round-trip form. Used for hashing
    /// (run ids, cache keys), so it must never depend on dictionary order or the locale.
    public var canonicalJSON: String {
        switch self {
        case .null: return "null"
        case let .bool(b): return b ? "true" : "false"
        case let .number(n): return n.isFinite ? Format.number(n) : "\"" + (n.isNaN ? "nan" : (n > 0 ? "inf" : "-inf")) + "\""
        case let .string(s): return Format.jsonString(s)
        case let .array(a): return "[" + a.map { $0.canonicalJSON }.joined(separator: ",") + "]"
        case let .object(pairs):
            let sorted = pairs.sorted { $0.0 < $1.0 }
            return "{" + sorted.map { Format.jsonString($0.0) + ":" + $0.1.canonicalJSON }.joined(separator: ",") + "}"
        }
    }
}

// MARK: - YAML

extension ConfigValue {
    /// Parses YAML (JSON is YAML) keeping key order; `lines` maps key paths to 1-based source lines.
    public static func parseYAML(_ text: String, source: String) throws -> (value: ConfigValue, lines: [String: Int]) {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError.syntax(source: source, message: "\(error)")
        }
        var lines: [String: Int] = [:]
        guard let node else { return (.object([]), lines) }
        var budget = ExpansionBudget(limit: maxYAMLNodes + text.utf8.count)
        let value = try convert(node, path: "", depth: 0, lines: &lines, source: source, budget: &budget)
        return (value, lines)
    }

    /// Bounds on the expanded tree of one YAML text. Aliases let a few lines expand exponentially (the
    /// "billion laughs" pattern). Without aliases a text cannot hold more values than it has characters,
    /// so the node limit is this constant plus the text's length: it never refuses an alias-free file,
    /// and stops an alias bomb after at most that many values (milliseconds, a few MB) instead of
    /// exhausting memory. docs/reliability.md lists the limits.
    public static let maxYAMLNodes = 100_000
    public static let maxYAMLDepth = 64

    struct ExpansionBudget { let limit: Int; var nodes = 0 }

    private static func convert(_ node: Node, path: String, depth: Int, lines: inout [String: Int], source: String,
                                budget: inout ExpansionBudget) throws -> ConfigValue {
        budget.nodes += 1
        if budget.nodes > budget.limit || depth > maxYAMLDepth {
            let what = depth > maxYAMLDepth ? "nests deeper than \(maxYAMLDepth) levels" : "expands to more than \(budget.limit) values"
            throw ConfigError.invalid(source: source, path: path.isEmpty ? "(top level)" : path, line: node.mark?.line,
                                      message: "the YAML \(what) (nested aliases such as *a repeated inside anchors multiply)",
                                      fix: "write the values out instead of nesting aliases, or split the file")
        }
        switch node {
        case let .scalar(scalar):
            return scalarValue(scalar)
        case let .sequence(seq):
            var out: [ConfigValue] = []
            for (i, item) in seq.enumerated() {
                let p = path + "[\(i)]"
                if let mark = item.mark { lines[p] = mark.line }
                out.append(try convert(item, path: p, depth: depth + 1, lines: &lines, source: source, budget: &budget))
            }
            return .array(out)
        case let .mapping(map):
            var out: [(String, ConfigValue)] = []
            for (k, v) in map {
                guard case let .scalar(ks) = k else {
                    throw ConfigError.syntax(source: source, message: "mapping key at \(path.isEmpty ? "top level" : path) is not a plain string")
                }
                let key = ks.string
                let p = path.isEmpty ? key : path + "." + key
                if out.contains(where: { $0.0 == key }) {
                    throw ConfigError.invalid(source: source, path: p, line: k.mark?.line, message: "duplicate key '\(key)'", fix: "keep one of the two entries")
                }
                if let mark = k.mark { lines[p] = mark.line }
                out.append((key, try convert(v, path: p, depth: depth + 1, lines: &lines, source: source, budget: &budget)))
            }
            return .object(out)
        @unknown default:
            throw ConfigError.syntax(source: source, message: "YAML aliases are not supported at \(path)")
        }
    }

    /// YAML 1.2 core schema for plain scalars; quoted scalars stay strings.
    static func scalarValue(_ scalar: Node.Scalar) -> ConfigValue {
        let s = scalar.string
        if scalar.style != .plain { return .string(s) }
        return plainScalar(s)
    }

    /// Interprets an unquoted word the way YAML does (also used for `key=value` overrides).
    public static func plainScalar(_ s: String) -> ConfigValue {
        switch s {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", "+.inf", ".Inf": return .number(.infinity)
        case "-.inf", "-.Inf": return .number(-.infinity)
        case ".nan", ".NaN": return .number(.nan)
        default: break
        }
        if s.first == "[" , s.last == "]", let parsed = try? parseYAML(s, source: "override").value, case .array = parsed {
            return parsed
        }
        if let d = Double(s), s.rangeOfCharacter(from: CharacterSet(charactersIn: "0123456789")) != nil,
           !s.hasPrefix("0x") { return .number(d) }
        return .string(s)
    }
}
