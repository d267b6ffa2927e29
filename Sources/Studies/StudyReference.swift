import BridgeSupport

/// What paired.csv takes differences to (`compare_to:`): a method of the study, or a point of varied
/// values. A point lets a study of one method pair its settings with one of them (λ = 0.5 among the λ
/// schedules, rank 8 among the LoRA ranks), which a method name cannot.
public enum StudyReference: Sendable, Equatable {
    /// `compare_to: sgd`: every other method minus this one.
    case method(String)
    /// `compare_to: {model.lora_rank: 8}`: every run off the point minus the run on it; keys are varied
    /// keys (the method key among them when it is varied), values as the spec wrote them.
    case point([Entry])

    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: ConfigValue
        public init(key: String, value: ConfigValue) { self.key = key; self.value = value }
        /// The value as runs.csv writes it (the form `StudyPlan.Run.values` holds).
        public var text: String { ConfigPath.cellText(value) }
    }

    /// paired.csv's `reference` column and the bootstrap stream's `paired-vs-<label>`: the method's name,
    /// or `key=value` pairs joined by commas, keys sorted (as `parse` orders them).
    public var label: String {
        switch self {
        case let .method(m): return m
        case let .point(entries): return entries.map { "\($0.key)=\($0.text)" }.joined(separator: ",")
        }
    }

    /// The form stored in the spec tree (hashed): a string for a method, a mapping for a point.
    public var tree: ConfigValue {
        switch self {
        case let .method(m): return .string(m)
        case let .point(entries): return .object(entries.map { ($0.key, $0.value) })
        }
    }

    /// Reads the spec-tree form back (study.json); nil when it is neither form.
    public static func fromTree(_ value: ConfigValue) -> StudyReference? {
        switch value {
        case let .string(m): return .method(m)
        case let .object(pairs) where !pairs.isEmpty:
            return .point(pairs.map { Entry(key: $0.0, value: $0.1) })
        default: return nil
        }
    }

    /// Parses `compare_to:` strictly: a method name, or a non-empty mapping of dotted keys to scalars.
    static func parse(_ value: ConfigValue, at path: String, _ r: SpecReader) throws -> StudyReference {
        if case .string = value { return .method(try r.string(value, at: path)) }
        guard case .object = value else {
            throw r.invalid(at: path, "compare_to is a method name or a mapping of varied keys to values",
                            fix: "write e.g. 'compare_to: rl_zero' or 'compare_to: {bridge.lambda.lambda0: 0.5}'")
        }
        let pairs = try r.mapping(value, at: path)
        guard !pairs.isEmpty else {
            throw r.invalid(at: path, "an empty reference point selects every run",
                            fix: "name at least one varied key and its value, e.g. {model.lora_rank: 8}")
        }
        // Sorted by key: the label, and so paired.csv, does not depend on how the spec ordered the point.
        return .point(try pairs.sorted { $0.0 < $1.0 }.map { key, v in
            let p = SpecReader.join(path, key)
            try StudySpec.checkKey(key, at: p, r)
            switch v {
            case .object, .array, .null:
                throw r.invalid(at: p, "a reference value is one scalar", fix: "write one value the key takes in the study, e.g. \(key): 0.5")
            default: return Entry(key: key, value: v)
            }
        })
    }
}

extension StudyPlan {
    /// Indices into `varied` the reference fixes (the method key's, for a method reference, when varied).
    public var referenceFixed: [Int] {
        switch reference {
        case nil: return []
        case .method?: return varied.indices.filter { hasMethod && varied[$0] == methodKey }
        case let .point(entries)?: return entries.compactMap { e in varied.firstIndex(of: e.key) }
        }
    }

    /// True when the run is a reference run of paired.csv.
    public func isReference(_ r: Run) -> Bool {
        switch reference {
        case nil: return false
        case let .method(m)?: return r.method == m
        case let .point(entries)?:
            return entries.allSatisfy { e in varied.firstIndex(of: e.key).map { r.values[$0] == e.text } ?? false }
        }
    }

    /// Refuses a reference that selects no run or every run, names a method the study does not run, or
    /// fixes a key the study does not vary (or at a value it never takes), naming the nearest choice.
    func checkReference(source: String, line: Int?) throws {
        guard let reference else { return }
        func refuse(_ message: String, _ fix: String) -> ConfigError {
            .invalid(source: source, path: "compare_to", line: line, message: message, fix: fix)
        }
        func firstSeen(_ xs: [String]) -> [String] { xs.reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }
        switch reference {
        case let .method(m):
            let methods = firstSeen(runs.map(\.method))
            guard methods.contains(m) else {
                let near = NearestKey.find(m, in: methods).map { " (did you mean '\($0)'?)" } ?? ""
                throw refuse("'\(m)' is not a method of this study\(near); its methods: \(methods.joined(separator: ", "))",
                             "name one of the study's methods, or remove compare_to")
            }
        case let .point(entries):
            for e in entries {
                guard let k = varied.firstIndex(of: e.key) else {
                    let near = NearestKey.find(e.key, in: varied).map { " (did you mean '\($0)'?)" } ?? ""
                    throw refuse("'\(e.key)' is not a varied key of this study\(near); its varied keys: \(varied.joined(separator: ", "))",
                                 "fix the reference point to the study's axes' keys, or remove compare_to")
                }
                let values = firstSeen(runs.map { $0.values[k] })
                guard values.contains(e.text) else {
                    throw refuse("\(e.key) never takes the value \(e.text) in this study; its values: \(values.joined(separator: ", "))",
                                 "choose one of those values")
                }
            }
        }
        let count = runs.filter(isReference).count
        guard count > 0 else {
            throw refuse("no run of this study is at the reference point \(reference.label)",
                         "choose values that one of the study's axis points takes together")
        }
        guard count < runs.count else {
            throw refuse("every run of this study is at the reference point \(reference.label): nothing is left to compare",
                         "fix a key the study varies at one of its values")
        }
    }
}
