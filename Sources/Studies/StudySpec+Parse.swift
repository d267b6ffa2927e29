import BridgeSupport
import Foundation

extension StudySpec {
    /// Parses a study spec strictly: unknown keys and wrong types name the key path, line and nearest key.
    public static func parse(yaml text: String, source: String) throws -> StudySpec {
        let (tree, lines) = try ConfigValue.parseYAML(text, source: source)
        let r = SpecReader(source: source, lines: lines)
        let pairs = try r.mapping(tree, at: "", allowed: topKeys)
        func value(_ key: String) -> ConfigValue? { pairs.first { $0.0 == key }?.1 }
        for required in ["name", "question", "kind"] where value(required) == nil {
            throw ConfigError.invalid(source: source, path: required, line: nil, message: "required key is missing",
                                      fix: "add '\(required): ...' at the top level")
        }
        let name = try r.string(value("name")!, at: "name")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            throw r.invalid(at: "name", "'\(name)' is not a folder-safe name", fix: "use letters, digits, '_' and '-' only")
        }
        let question = try r.string(value("question")!, at: "question")
        guard !question.isEmpty, !question.contains("\n") else {
            throw r.invalid(at: "question", "the question must be one non-empty line", fix: "shorten it to one line")
        }
        var spec = StudySpec(name: name, question: question, kind: try r.string(value("kind")!, at: "kind"))
        spec.source = source
        spec.lines = lines
        // Dotted keys in base ("run.steps: 5") are paths, like axis keys and overrides.
        if let b = value("base") { _ = try r.mapping(b, at: "base"); spec.base = ConfigPath.merge(b, over: .object([])) }
        if let a = value("axes") {
            let ap = try r.mapping(a, at: "axes", allowed: Axes.keys)
            for (k, v) in ap {
                let p = "axes." + k
                switch k {
                case "grid": spec.axes.grid = try parseAxisValues(v, at: p, r)
                case "zip": spec.axes.zip = try parseZip(v, at: p, r)
                default: spec.axes.runs = try parseRuns(v, at: p, r)
                }
            }
        }
        if let s = value("seeds") { spec.seeds = try parseSeeds(s, at: "seeds", r) }
        if let k = value("seed_key") { spec.seedKey = try r.string(k, at: "seed_key") }
        if let k = value("method_key") { spec.methodKey = try r.string(k, at: "method_key") }
        if let m = value("metrics") {
            spec.metrics = try r.list(m, at: "metrics").enumerated().map { i, item in try parseMetric(item, at: "metrics[\(i)]", r) }
        }
        if let f = value("forgetting") {
            spec.forgetting = try r.list(f, at: "forgetting").enumerated().map { i, v in try r.string(v, at: "forgetting[\(i)]") }
        }
        if let c = value("compare_to") { spec.compareTo = try StudyReference.parse(c, at: "compare_to", r) }
        if let f = value("figures") {
            spec.figures = try r.list(f, at: "figures").enumerated().map { i, v in try FigureRequest.parse(v, at: "figures[\(i)]", r) }
        }
        if let s = value("slurm") { spec.slurm = try SlurmOptions.parse(s, at: "slurm", r) }
        if let p = value("presets") {
            for (pname, pv) in try r.mapping(p, at: "presets") {
                spec.presets.append(try parsePreset(pname, pv, at: "presets." + pname, r))
            }
        }
        return spec
    }

    static func checkKey(_ key: String, at path: String, _ r: SpecReader) throws {
        if key == "seed" {
            throw r.invalid(at: path, "the seed is not an axis", fix: "list seeds under the top-level 'seeds:' key")
        }
        guard !key.isEmpty, !key.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
            throw r.invalid(at: path, "'\(key)' is not a dotted key path", fix: "write e.g. 'lambda.schedule'")
        }
    }

    static func parseAxisValues(_ v: ConfigValue, at path: String, _ r: SpecReader) throws -> [AxisValues] {
        try r.mapping(v, at: path).map { key, values in
            let p = SpecReader.join(path, key)
            try checkKey(key, at: p, r)
            let list = try r.list(values, at: p)
            guard !list.isEmpty else { throw r.invalid(at: p, "an axis needs at least one value", fix: "list values, e.g. [0.3, 0.5]") }
            return AxisValues(key: key, values: list)
        }
    }

    static func parseZip(_ v: ConfigValue, at path: String, _ r: SpecReader) throws -> [[AxisValues]] {
        try r.list(v, at: path).enumerated().map { i, group in
            let p = path + "[\(i)]"
            let axes = try parseAxisValues(group, at: p, r)
            if let first = axes.first, let bad = axes.first(where: { $0.values.count != first.values.count }) {
                throw r.invalid(at: SpecReader.join(p, bad.key),
                                "zipped lists must have equal lengths: '\(first.key)' has \(first.values.count) values, '\(bad.key)' has \(bad.values.count)",
                                fix: "give every key of this zip group the same number of values")
            }
            return axes
        }
    }

    static func parseRuns(_ v: ConfigValue, at path: String, _ r: SpecReader) throws -> [[AxisValue]] {
        try r.list(v, at: path).enumerated().map { i, item in
            let p = path + "[\(i)]"
            return try r.mapping(item, at: p).map { key, value in
                try checkKey(key, at: SpecReader.join(p, key), r)
                return AxisValue(key: key, value: value)
            }
        }
    }

    static func parseSeeds(_ v: ConfigValue, at path: String, _ r: SpecReader) throws -> [Int] {
        if case .number = v {
            let n = try r.int(v, at: path, minimum: 1)
            return Array(0..<n)
        }
        guard case .array = v else { throw r.wrong(v, at: path, expected: "a seed count or a list of seeds") }
        let seeds = try r.list(v, at: path).enumerated().map { i, s in try r.int(s, at: path + "[\(i)]", minimum: 0) }
        guard !seeds.isEmpty, Set(seeds).count == seeds.count else {
            throw r.invalid(at: path, "seeds must be a non-empty list without repeats", fix: "e.g. seeds: [0, 1, 2] or seeds: 3")
        }
        return seeds
    }

    static func parseMetric(_ v: ConfigValue, at path: String, _ r: SpecReader) throws -> MetricSummary {
        let pairs = try r.mapping(v, at: path, allowed: MetricSummary.keys)
        func value(_ key: String) -> ConfigValue? { pairs.first { $0.0 == key }?.1 }
        guard let n = value("name") else {
            throw r.invalid(at: path, "a summarised metric needs a name", fix: "add 'name: eval/mean_accuracy'")
        }
        let name = try r.string(n, at: path + ".name")
        var lastK = 0
        if let k = value("last_k") { lastK = try r.int(k, at: path + ".last_k", minimum: 1) }
        var firstK = 0
        if let k = value("first_k") { firstK = try r.int(k, at: path + ".first_k", minimum: 1) }
        var how: [Aggregate] = []
        let hp = path + ".how"
        let words = try value("how").map { try r.list($0, at: hp) } ?? [.string("final")]
        for (i, w) in words.enumerated() {
            let word = try r.string(w, at: "\(hp)[\(i)]")
            switch word {
            case "final": how.append(.final)
            case "max": how.append(.max)
            case "min": how.append(.min)
            case "auc": how.append(.auc)
            case "mean_last":
                guard lastK > 0 else { throw r.invalid(at: "\(hp)[\(i)]", "mean_last needs last_k", fix: "add 'last_k: 3' to this metric") }
                how.append(.meanLast(lastK))
            case "mean_first":
                guard firstK > 0 else { throw r.invalid(at: "\(hp)[\(i)]", "mean_first needs first_k", fix: "add 'first_k: 10' to this metric") }
                how.append(.meanFirst(firstK))
            default:
                let near = NearestKey.find(word, in: Aggregate.names)
                throw r.invalid(at: "\(hp)[\(i)]", "unknown summary '\(word)'" + (near.map { "; did you mean '\($0)'?" } ?? ""),
                                fix: "use one of \(Aggregate.names.joined(separator: ", "))")
            }
        }
        return MetricSummary(metric: name, how: how)
    }

    static func parsePreset(_ name: String, _ v: ConfigValue, at path: String, _ r: SpecReader) throws -> Preset {
        var preset = Preset(name: name)
        for (k, value) in try r.mapping(v, at: path, allowed: Preset.keys) {
            let p = path + "." + k
            switch k {
            case "base": _ = try r.mapping(value, at: p); preset.base = value
            case "seeds": preset.seeds = try parseSeeds(value, at: p, r)
            case "slurm": preset.slurm = try SlurmOptions.parse(value, at: p, r)
            default:
                for (ak, av) in try r.mapping(value, at: p, allowed: Axes.keys) {
                    let app = p + "." + ak
                    switch ak {
                    case "grid": preset.grid = try parseAxisValues(av, at: app, r)
                    case "zip": preset.zip = try parseZip(av, at: app, r)
                    default: preset.runs = try parseRuns(av, at: app, r)
                    }
                }
            }
        }
        return preset
    }
}
