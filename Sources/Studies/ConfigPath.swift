import BridgeSupport

/// Dotted key paths (`lambda.schedule`) into config trees: how axis values, seeds and overrides reach
/// the nested mappings a run kind resolves.
public enum ConfigPath {
    /// The value at `path`, nil if any step is missing.
    public static func get(_ tree: ConfigValue, _ path: String) -> ConfigValue? {
        var cur: ConfigValue? = tree
        for key in path.split(separator: ".") { cur = cur?[String(key)] }
        return cur
    }

    /// `tree` with `path` set to `value`, creating intermediate mappings (replacing non-mappings on the way).
    public static func set(_ tree: ConfigValue, _ path: String, _ value: ConfigValue) -> ConfigValue {
        set(tree, path.split(separator: ".").map(String.init)[...], value)
    }

    private static func set(_ tree: ConfigValue, _ keys: ArraySlice<String>, _ value: ConfigValue) -> ConfigValue {
        guard let key = keys.first else { return value }
        var pairs = tree.objectPairs ?? []
        if let i = pairs.firstIndex(where: { $0.0 == key }) {
            pairs[i].1 = set(pairs[i].1, keys.dropFirst(), value)
        } else {
            pairs.append((key, set(.object([]), keys.dropFirst(), value)))
        }
        return .object(pairs)
    }

    /// Deep merge: mappings merge key by key (keys may be dotted paths), anything else replaces.
    public static func merge(_ patch: ConfigValue, over tree: ConfigValue) -> ConfigValue {
        guard case let .object(pairs) = patch else { return patch }
        var out = tree
        for (key, value) in pairs {
            let existing = get(out, key) ?? .object([])
            if case .object = value, case .object = existing {
                out = set(out, key, merge(value, over: existing))
            } else {
                out = set(out, key, value)
            }
        }
        return out
    }

    /// A cell for CSV output: strings as they are, numbers in shortest round-trip form, lists as JSON.
    public static func cellText(_ value: ConfigValue) -> String {
        switch value {
        case let .string(s): return s
        case let .number(x): return Format.number(x)
        case let .bool(b): return b ? "true" : "false"
        case .null: return ""
        default: return value.canonicalJSON
        }
    }

    /// Matches a metric name against a pattern where `*` stands for any run of characters.
    public static func globMatch(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern), s = Array(name)
        var pi = 0, si = 0, star = -1, mark = 0
        while si < s.count {
            if pi < p.count, p[pi] == s[si] { pi += 1; si += 1 }
            else if pi < p.count, p[pi] == "*" { star = pi; mark = si; pi += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; si = mark }
            else { return false }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
