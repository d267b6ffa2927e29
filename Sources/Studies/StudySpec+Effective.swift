import BridgeSupport

extension StudySpec {
    /// The spec with a preset and `key=value` overrides folded in (presets dropped), ready to expand.
    ///
    /// `defaults` is the kind's fully defaulted config (`resolve` of an empty mapping) when available: an
    /// override of a string field then stays a string even if it looks like a number ("name=123").
    public func effective(preset name: String?, overrides: [String], defaults: ConfigValue? = nil) throws -> StudySpec {
        var out = self
        out.presets = []
        if let name, !name.isEmpty {
            guard let p = presets.first(where: { $0.name == name }) else {
                let valid = presets.map(\.name)
                throw ConfigError.unknownKey(source: "--preset", path: "presets.\(name)", line: nil,
                                             suggestion: NearestKey.find(name, in: valid), valid: valid)
            }
            out.base = ConfigPath.merge(p.base, over: base)
            for axis in p.grid {
                if let i = out.axes.grid.firstIndex(where: { $0.key == axis.key }) { out.axes.grid[i] = axis } else { out.axes.grid.append(axis) }
            }
            if let z = p.zip { out.axes.zip = z }
            if let r = p.runs { out.axes.runs = r }
            if let s = p.seeds { out.seeds = s }
            out.slurm = slurm.overridden(by: p.slurm)
            out.preset = name
        }
        if out.seedKey.isEmpty {
            out.seedKey = ["seed", "run.seed"].first { k in defaults.map { ConfigPath.get($0, k) != nil } ?? false } ?? "seed"
        }
        if out.methodKey.isEmpty {
            out.methodKey = ["method", "run.method"].first { k in defaults.map { ConfigPath.get($0, k) != nil } ?? false }
                ?? (defaults == nil ? "method" : "")
        }
        for item in overrides {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw ConfigError.invalid(source: "override", path: item, line: nil,
                                          message: "an override must have the form key.path=value",
                                          fix: "write e.g. 'rl.group_size=8' (it patches the base config)")
            }
            let path = String(item[..<eq]), raw = String(item[item.index(after: eq)...])
            var value = ConfigValue.plainScalar(raw)
            if let d = defaults, case .string? = ConfigPath.get(d, path) { value = .string(raw) }
            out.base = ConfigPath.set(out.base, path, value)
            out.overrides.append(item)
        }
        return out
    }

    /// The spec as an ordered tree (key order kept where it matters): stored in study.json and hashed
    /// to recognise a changed spec pointed at an existing output folder.
    public var tree: ConfigValue {
        func axisList(_ a: [AxisValues]) -> ConfigValue {
            .array(a.map { .object([("key", .string($0.key)), ("values", .array($0.values))]) })
        }
        // compare_to enters the tree only when set, so specs without it keep their hash.
        let compare: [(String, ConfigValue)] = compareTo.map { [("compare_to", $0.tree)] } ?? []
        let figureList: [(String, ConfigValue)] = figures.isEmpty ? [] : [("figures", .array(figures.map(\.tree)))]
        return .object([
            ("name", .string(name)), ("question", .string(question)), ("kind", .string(kind)),
            ("preset", .string(preset)), ("overrides", .array(overrides.map { .string($0) })),
            ("base", base),
            ("axes", .object([
                ("grid", axisList(axes.grid)),
                ("zip", .array(axes.zip.map(axisList))),
                ("runs", .array(axes.runs.map { .array($0.map { .object([("key", .string($0.key)), ("value", $0.value)]) }) })),
            ])),
            ("seeds", .array(seeds.map { .number(Double($0)) })),
            ("seed_key", .string(seedKey)), ("method_key", .string(methodKey)),
            ("metrics", .array(metrics.map { .object([("name", .string($0.metric)), ("how", .array($0.how.map { .string($0.label) }))]) })),
            ("forgetting", .array(forgetting.map { .string($0) })),
        ] + compare + figureList)
    }

    /// SHA-256 of the effective spec's canonical JSON without the question and the figures (rewording it,
    /// choosing other figures, comments and key order in the YAML do not change what the study computes).
    public var hash: String {
        SHA256.hex(ConfigValue.object((tree.objectPairs ?? []).filter { $0.0 != "question" && $0.0 != "figures" }).canonicalJSON)
    }
}
