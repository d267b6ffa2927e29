/// Pretty, deterministic JSON (keys sorted, two-space indent, shortest round-trip numbers): the form of
/// every config.json, result.json and manifest.json the project writes.
extension ConfigValue {
    public var prettyJSON: String { pretty(indent: "") + "\n" }

    private func pretty(indent: String) -> String {
        let inner = indent + "  "
        switch self {
        case let .array(items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy({ if case .object = $0 { return false }; if case .array = $0 { return false }; return true }) {
                return "[" + items.map { $0.canonicalJSON }.joined(separator: ", ") + "]"
            }
            return "[\n" + items.map { inner + $0.pretty(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case let .object(pairs):
            if pairs.isEmpty { return "{}" }
            let sorted = pairs.sorted { $0.0 < $1.0 }
            return "{\n" + sorted.map { inner + Format.jsonString($0.0) + ": " + $0.1.pretty(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return canonicalJSON
        }
    }
}
