import Foundation

/// Strict, defaults-in-one-place configuration loading.
///
/// The schema of a config is its default instance: every key the default encodes is valid, every other
/// key is an error naming its path, line and nearest valid key. User values must have the default's
/// kind (a number where the default is a number, ...). Objects whose default is empty (`[:]`-like maps)
/// and lists accept any content; their element types are checked by the final decode.
public enum StrictConfig {
    /// Merges `user` over `defaults`, checking every key path. `lines` (from `parseYAML`) adds line numbers.
    public static func merge(_ user: ConfigValue, over defaults: ConfigValue, source: String,
                             lines: [String: Int] = [:], path: String = "") throws -> ConfigValue {
        switch (defaults, user) {
        case (_, .null) where path.isEmpty:
            return defaults
        case let (.object(defPairs), .object(userPairs)):
            if defPairs.isEmpty { return try checkFinite(user, source: source, path: path, lines: lines) } // free-form map
            var out = defPairs
            for (key, value) in userPairs {
                let p = path.isEmpty ? key : path + "." + key
                guard let index = out.firstIndex(where: { $0.0 == key }) else {
                    let valid = defPairs.map { $0.0 }
                    throw ConfigError.unknownKey(source: source, path: p, line: lines[p],
                                                 suggestion: NearestKey.find(key, in: valid), valid: valid)
                }
                out[index].1 = try merge(value, over: out[index].1, source: source, lines: lines, path: p)
            }
            return .object(out)
        case let (.number(d), .number(n)):
            // inf and NaN are never a setting: they come from typos (1e999) or YAML's .inf, and a run
            // with one diverges at step 0 or hangs. A non-finite default (none today) may be repeated.
            if !n.isFinite && !(d.isNaN && n.isNaN) && d != n { throw nonFinite(source, path, lines, Format.number(n)) }
            return user
        case (.bool, .bool), (.string, .string), (.array, .array):
            return try checkFinite(user, source: source, path: path, lines: lines)
        case (.null, _):
            // optional field with no default: the decode checks the type
            return try checkFinite(user, source: source, path: path, lines: lines)
        case let (.number(d), .string(s)) where ["nan", "inf", "-inf"].contains(s):
            // resolved configs (config.json) write non-finite numbers as these strings
            if ConfigValue.number(d).canonicalJSON == "\"\(s)\"" { return user }
            throw nonFinite(source, path, lines, s)
        default:
            throw ConfigError.wrongType(source: source, path: path, line: lines[path],
                                        expected: defaults.kindName, found: describe(user))
        }
    }

    static func nonFinite(_ source: String, _ path: String, _ lines: [String: Int], _ found: String) -> ConfigError {
        .invalid(source: source, path: path, line: lines[path], message: "must be a finite number, found \(found)",
                 fix: "use a finite value (configs refuse inf and NaN)")
    }

    /// Refuses non-finite numbers anywhere inside a user value (lists such as sweeps, free-form maps).
    static func checkFinite(_ v: ConfigValue, source: String, path: String, lines: [String: Int]) throws -> ConfigValue {
        switch v {
        case let .number(n) where !n.isFinite: throw nonFinite(source, path, lines, Format.number(n))
        case let .array(a): for (i, x) in a.enumerated() { _ = try checkFinite(x, source: source, path: path + "[\(i)]", lines: lines) }
        case let .object(p): for (k, x) in p { _ = try checkFinite(x, source: source, path: path.isEmpty ? k : path + "." + k, lines: lines) }
        default: break
        }
        return v
    }

    static func describe(_ v: ConfigValue) -> String {
        switch v {
        case let .string(s): return "the string '\(s)'"
        case let .number(n): return "the number \(Format.number(n))"
        case let .bool(b): return "\(b)"
        default: return v.kindName
        }
    }

    /// Applies `a.b.c=value` overrides (Hydra/verl habit) to a tree; the value is read as a YAML word.
    public static func applyOverrides(_ overrides: [String], to value: ConfigValue, defaults: ConfigValue) throws -> ConfigValue {
        var result = value
        for item in overrides {
            guard let eq = item.firstIndex(of: "=") else {
                throw ConfigError.invalid(source: "override", path: item, line: nil,
                                          message: "an override must have the form key.path=value",
                                          fix: "write e.g. 'rl.group_size=8'")
            }
            let path = String(item[..<eq])
            let raw = String(item[item.index(after: eq)...])
            let keys = path.split(separator: ".").map(String.init)
            guard !keys.isEmpty else {
                throw ConfigError.invalid(source: "override", path: item, line: nil, message: "empty key path", fix: "write e.g. 'rl.group_size=8'")
            }
            var patch = ConfigValue.plainScalar(raw)
            // A string field keeps numbers-as-text ("1", "0.5", "true") as strings.
            if case .string? = lookup(defaults, keys) { patch = .string(raw) }
            for key in keys.reversed() { patch = .object([(key, patch)]) }
            let merged = try merge(patch, over: result, source: "override '\(item)'")
            result = merged
        }
        return result
    }

    static func lookup(_ value: ConfigValue, _ keys: [String]) -> ConfigValue? {
        var cur: ConfigValue? = value
        for k in keys { cur = cur?[k] }
        return cur
    }

    /// Loads a Codable config: defaults, then the YAML file (if any), then overrides; strict throughout.
    public static func load<T: Codable>(_ type: T.Type, defaults: T, yamlText: String?, source: String,
                                        overrides: [String] = []) throws -> T {
        let defaultTree = try ConfigValue.encode(defaults)
        var tree = defaultTree
        if let yamlText {
            let (user, lines) = try ConfigValue.parseYAML(yamlText, source: source)
            tree = try merge(user, over: defaultTree, source: source, lines: lines)
        }
        tree = try applyOverrides(overrides, to: tree, defaults: defaultTree)
        return try tree.decode(T.self, source: source)
    }
}

/// Finds the valid key nearest to a mistyped one (Levenshtein distance, ties broken by list order).
public enum NearestKey {
    public static func find(_ key: String, in candidates: [String]) -> String? {
        var best: (String, Int)?
        for c in candidates {
            let d = distance(key.lowercased(), c.lowercased())
            if best == nil || d < best!.1 { best = (c, d) }
        }
        guard let best, best.1 <= max(2, key.count / 2) else { return nil }
        return best.0
    }

    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count), cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}
