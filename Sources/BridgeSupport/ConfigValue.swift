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
            throw ConfigError.decoding(source: source, error)
        }
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
        let value = try convert(node, path: "", lines: &lines, source: source)
        return (value, lines)
    }

    private static func convert(_ node: Node, path: String, lines: inout [String: Int], source: String) throws -> ConfigValue {
        switch node {
        case let .scalar(scalar):
            return scalarValue(scalar)
        case let .sequence(seq):
            var out: [ConfigValue] = []
            for (i, item) in seq.enumerated() {
                let p = path + "[\(i)]"
                if let mark = item.mark { lines[p] = mark.line }
                out.append(try convert(item, path: p, lines: &lines, source: source))
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
                out.append((key, try convert(v, path: p, lines: &lines, source: source)))
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
