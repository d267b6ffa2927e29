import ArgumentParser
import BridgeSupport
import Foundation
import TensorCore

/// `bridge bench cores`: the linear-layer GEMMs (`bench kernels`' raw rates) under the core bridge selects
/// next to the same OpenBLAS with a core set by hand, measured side by side: each round runs one
/// `bench kernels` child per configuration, in turn, so load drift hits every configuration alike. It
/// checks that the selection reaches what the best core gives (goal ≥ 0.9×) and shows what a generic
/// fallback costs.
struct BenchCores: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cores",
        abstract: "GEMM rates under bridge's OpenBLAS core selection vs cores set by hand (OPENBLAS_CORETYPE), side by side.",
        discussion: """
            Configurations: 'selected' (bridge as a user runs it: BRIDGE_BLAS_CORE and an OPENBLAS_CORETYPE from \
            the environment apply) and each --core, set as OPENBLAS_CORETYPE in that child alone. Default cores: \
            the best for this CPU, OpenBLAS's own choice when bridge replaced it, and the generic Prescott \
            fallback. Writes per-shape median raw GFLOP/s over the rounds and the ratio selected / each core.
            """
    )

    @Option(help: "CSV file to write; folders are created.")
    var out = "results/bench/cores.csv"

    @Option(name: .customLong("core"), help: "A core to set by hand (repeatable). Default: the best core for this CPU, OpenBLAS's own choice when bridge replaced it, and Prescott.")
    var cores: [String] = []

    @Option(help: "Rounds; each runs every configuration once, in turn. Medians over rounds are reported.")
    var rounds = 3

    @Flag(help: "Every shape of `bench kernels` instead of its --quick set.")
    var full = false

    func validate() throws {
        guard rounds >= 1 else { throw ValidationError("--rounds must be 1 or more (got \(rounds)).") }
        guard out.hasSuffix(".csv") else { throw ValidationError("--out must name a .csv file (got '\(out)').") }
        for c in cores where OpenBLASCore(name: c) == nil {
            let hint = NearestKey.find(c, in: OpenBLASCore.allCases.map(\.rawValue)).map { " (did you mean '\($0)'?)" } ?? ""
            throw ValidationError("--core \(c) is not an OpenBLAS core name\(hint).")
        }
    }

    func run() throws {
        let started = Date()
        let selection = BLASCoreSetup.current()
        var handSet = cores.compactMap { OpenBLASCore(name: $0) }
        if handSet.isEmpty {
            let candidates = [selection.bestForCPU, selection.source == .bridgeAuto ? selection.openblasChoice : nil, "Prescott"]
            for core in candidates.compactMap({ $0.flatMap(OpenBLASCore.init(name:)) }) where !handSet.contains(core) {
                handSet.append(core)
            }
        }
        guard let cpu = CPUInfo.current() else { throw ValidationError("bench cores needs /proc/cpuinfo (x86-64 Linux).") }
        for core in handSet where core.tier > cpu.tier || !BLASCoreSetup.buildHas(core) {
            throw ValidationError("--core \(core.rawValue) cannot run here: \(BLASCoreSetup.buildHas(core) ? "the CPU lacks \(core.tier)" : "this OpenBLAS build has no such kernels").")
        }
        let configs: [(label: String, core: OpenBLASCore?)] = [("selected", nil)] + handSet.map { ($0.rawValue, $0) }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bridge-bench-cores-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        var rates: [String: [String: [Double]]] = [:]   // label -> shape key -> raw GFLOP/s per round
        var shapes: [String] = []                         // shape keys in bench kernels' order
        var coreInUse: [String: String] = [:]
        print("CPU \(NumericsProvenance.cpuDescription); selection: \(selection.inUse) (\(selection.source.rawValue): \(selection.reason))")
        for round in 1...rounds {
            for config in configs {
                let csv = scratch.appendingPathComponent("\(config.label)-\(round).csv")
                let inUse = try runKernels(core: config.core, out: csv)
                coreInUse[config.label] = inUse
                let (header, rows) = CSVTable.parse(try String(contentsOf: csv, encoding: .utf8))
                guard let op = header.firstIndex(of: "op"), let m = header.firstIndex(of: "M"),
                      let k = header.firstIndex(of: "K"), let n = header.firstIndex(of: "N"),
                      let raw = header.firstIndex(of: "raw_gflops") else {
                    throw StudyFailure(description: "bench kernels wrote \(csv.path) without the op/M/K/N/raw_gflops columns")
                }
                for row in rows {
                    let key = [row[op], row[m], row[k], row[n]].joined(separator: ",")
                    if round == 1 && config.label == "selected" { shapes.append(key) }
                    rates[config.label, default: [:]][key, default: []].append(Double(row[raw]) ?? .nan)
                }
                print("round \(round)/\(rounds): \(config.label) ran \(inUse)")
            }
        }

        func med(_ label: String, _ key: String) -> Double {
            let v = (rates[label]?[key] ?? []).sorted()
            return v.isEmpty ? .nan : v[v.count / 2]
        }
        var columns = ["op", "M", "K", "N", "selected_gflops"]
        for c in handSet { columns += ["\(c.rawValue)_gflops", "selected_over_\(c.rawValue)"] }
        var table = CSVTable(columns: columns)
        var ratios: [String: [Double]] = [:]
        for key in shapes {
            let parts = key.split(separator: ",").map(String.init)
            let sel = med("selected", key)
            var cells: [CSVTable.Cell] = [.text(parts[0]), .integer(Int(parts[1])!), .integer(Int(parts[2])!), .integer(Int(parts[3])!), .number(sel)]
            for c in handSet {
                let g = med(c.rawValue, key)
                cells += [.number(g), .number((sel / g * 1000).rounded() / 1000)]
                ratios[c.rawValue, default: []].append(sel / g)
            }
            table.append(cells)
        }
        let url = URL(fileURLWithPath: out)
        try table.write(to: url)
        let metaURL = try BenchProvenance.write(besides: url, started: started, settings: BenchCoresSettings(
            rounds: rounds, full: full, configurations: configs.map { "\($0.label): \(coreInUse[$0.label] ?? "?")" }))
        print("\nselected core \(coreInUse["selected"] ?? "?") vs cores set by hand, raw GEMM GFLOP/s, median of \(rounds) rounds per shape:")
        for c in handSet {
            let r = (ratios[c.rawValue] ?? []).sorted()
            print("  selected / \(c.rawValue): median \(String(format: "%.3f", r[r.count / 2])), min \(String(format: "%.3f", r.first!)) over \(r.count) shapes")
        }
        print("wrote \(url.path) and \(metaURL.lastPathComponent)")
    }

    /// One `bench kernels` child; returns the core it ran (read from its provenance file).
    func runKernels(core: OpenBLASCore?, out: URL) throws -> String {
        var env = ProcessInfo.processInfo.environment
        if let core {
            for k in env.keys where k.hasPrefix("BRIDGE_BLAS_CORE") { env.removeValue(forKey: k) }
            env["OPENBLAS_CORETYPE"] = core.rawValue
        } else if env["BRIDGE_BLAS_CORE_SET"] != nil {
            // This process's core came from bridge's own choice: let the child choose again, as a user's would.
            for k in env.keys where k.hasPrefix("BRIDGE_BLAS_CORE_") { env.removeValue(forKey: k) }
            env.removeValue(forKey: "OPENBLAS_CORETYPE")
        }
        let p = Process()
        p.executableURL = currentExecutable()
        p.arguments = ["bench", "kernels", "--out", out.path] + (full ? [] : ["--quick"])
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw StudyFailure(description: "bridge bench kernels (core \(core?.rawValue ?? "selected")) exited \(p.terminationStatus)")
        }
        let meta = out.deletingPathExtension().appendingPathExtension("provenance.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: meta)) as? [String: Any]
        return ((json?["numerics"] as? [String: Any])?["openblas_core"] as? String) ?? "?"
    }
}

/// `bridge bench cores`' own settings in its provenance file (see `BenchProvenance`); the numerics
/// there are this process's (the "selected" configuration), each child's core is in `configurations`.
struct BenchCoresSettings: Encodable {
    var rounds: Int
    var full: Bool
    /// "label: core it ran", in the CSV's column order.
    var configurations: [String]
}
