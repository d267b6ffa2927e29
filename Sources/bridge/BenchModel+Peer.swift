import BridgeSupport
import Foundation
import GPT

/// The PyTorch figures `bridge bench model` divides by, and a label that says where they come from.
///
/// The peer moves 10–25 % between sessions on a shared machine and by far more between machines, so a
/// ratio means little unless the reader knows which peer it was computed against. A peer file is JSONL
/// written by scripts/bench-peer.sh: a first record `{"kind": "peer", "cpu", "date", "torch", "blas", …}`
/// and one `{"kind": "figure", "size", "mode", "batch", "tokens_per_s", …}` per measurement.
struct PeerFigures {
    /// True when the file was measured on a CPU of the same name as this one within `sideBySideWindow`
    /// before this run (scripts/bench-peer.sh run beside this benchmark); false for stored figures, an
    /// older file from this CPU model, or another machine's file.
    var sideBySide: Bool
    /// One line for the table and the CSV: "measured side by side on <cpu> at <date> …" or
    /// "stored figures from <machine> …".
    var label: String
    /// tokens/s keyed by `key(size:mode:batch:)`.
    var tokensPerSecond: [String: Double]

    static func key(size: String, mode: String, batch: Int) -> String { "\(size)/\(mode)/\(batch)" }

    func figure(size: String, mode: String, batch: Int) -> Double? {
        tokensPerSecond[PeerFigures.key(size: size, mode: mode, batch: batch)]
    }

    /// The default without --peer: docs/bench_model_peer_quiet_f.jsonl in whole tokens/s (a CLI test checks
    /// that `--peer` on that file gives the same peer column), measured on an idle machine: figures from a
    /// loaded one (as the earlier default was) make the peer look slower and rows look met that are not.
    /// Labelled as stored, wherever it runs: the peer moves between sessions even on the machine that
    /// measured it.
    static let stored = PeerFigures(
        sideBySide: false,
        label: "stored figures from AMD EPYC (family 25 model 17) at 2026-11-30T05:30:47Z; torch 2.13.0+cpu, blas mkl, docs/bench_model_peer_quiet_f.jsonl; not side by side: run scripts/bench-peer.sh and pass --peer FILE",
        tokensPerSecond: [
            "tiny/train/16": 64_423, "tiny/train/64": 71_063, "tiny/lora/16": 56_061, "tiny/lora/64": 52_838, "tiny/sample/64": 68_781,
            "small/train/16": 11_798, "small/train/64": 11_520, "small/lora/16": 11_194, "small/lora/64": 9_836, "small/sample/64": 13_979,
            "medium/train/16": 2_325, "medium/train/64": 1_980, "medium/lora/16": 2_356, "medium/lora/64": 1_929, "medium/sample/64": 3_344,
        ])

    /// What the fix of every peer-file error says.
    static let fix = "run scripts/bench-peer.sh --out FILE on this machine and pass --peer FILE (or omit --peer for the stored figures)"

    /// Reads and checks a peer file; every error names the file (and the line when it is one line's fault).
    /// `thisCPU` and `measuredAt` are the benchmark's: this process and now for a run, the provenance
    /// of the CSV for `--markdown-from` (nil CPU: a CSV without one, never side by side).
    static func load(path: String, thisCPU: String? = PeerFigures.cpuName(), measuredAt: Date = Date()) throws -> PeerFigures {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError.invalid(source: path, path: "--peer", line: nil, message: "file not found (relative paths are from \(FileManager.default.currentDirectoryPath))", fix: fix)
        }
        let text = try AtomicFile.readText(URL(fileURLWithPath: path), what: "--peer")
        return try parse(text, source: path, thisCPU: thisCPU, measuredAt: measuredAt)
    }

    /// How far apart a peer and the benchmark measured on this CPU model may be, either order, to count
    /// as side by side: one session of this project's machines (their CPU, load and neighbours change
    /// between sessions, and the peer with them).
    static let sideBySideWindow: TimeInterval = 3 * 3600

    static func parse(_ text: String, source: String, thisCPU: String?, measuredAt: Date = Date()) throws -> PeerFigures {
        func bad(_ line: Int?, _ message: String) -> ConfigError {
            .invalid(source: source, path: "--peer", line: line, message: message, fix: fix)
        }
        var header: [String: Any]?
        var figures: [String: Double] = [:]
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
                throw bad(i + 1, "not a JSON object (a peer file is JSONL written by scripts/bench-peer.sh)")
            }
            switch object["kind"] as? String {
            case "peer" where header == nil && figures.isEmpty:
                guard object["cpu"] is String, object["date"] is String else {
                    throw bad(i + 1, "the peer record needs string fields \"cpu\" and \"date\"")
                }
                header = object
            case "figure" where header != nil:
                guard let size = object["size"] as? String, GPTConfig.presetNames.contains(size),
                      let mode = object["mode"] as? String, BenchModel.modeNames.contains(mode),
                      let batch = (object["batch"] as? NSNumber)?.intValue,
                      let rate = (object["tokens_per_s"] as? NSNumber)?.doubleValue, rate > 0, rate.isFinite else {
                    throw bad(i + 1, "a figure needs size (\(GPTConfig.presetNames.joined(separator: "|"))), mode (\(BenchModel.modeNames.joined(separator: "|"))), integer batch and tokens_per_s > 0")
                }
                let k = key(size: size, mode: mode, batch: batch)
                if figures[k] != nil { throw bad(i + 1, "a second figure for \(size) \(mode) B=\(batch)") }
                figures[k] = rate
            default:
                throw bad(i + 1, header == nil ? "the first record must be {\"kind\": \"peer\", \"cpu\": …, \"date\": …}"
                                               : "unexpected record kind \(object["kind"].map { "\($0)" } ?? "(none)")")
            }
        }
        guard let header else { throw bad(nil, "empty: no peer record and no figures") }
        let cpu = header["cpu"] as! String, date = header["date"] as! String
        // The BLAS record is long ("mkl (Intel(R) oneAPI Math Kernel Library Version …)"): its first word.
        let what = ["torch", "blas"].compactMap { k in (header[k] as? String)?.split(separator: " ").first.map { "\(k) \($0)" } }
            .joined(separator: ", ")
        let detail = "\(what.isEmpty ? "" : "; \(what)"), \(source)"
        guard let thisCPU else {
            return PeerFigures(sideBySide: false,
                               label: "figures from \(cpu) at \(date)\(detail), not known to be side by side: the CSV has no provenance file saying where and when it was measured",
                               tokensPerSecond: figures)
        }
        if cpu == thisCPU {
            let age = ISO8601DateFormatter().date(from: date).map { measuredAt.timeIntervalSince($0) }
            if let age, abs(age) <= sideBySideWindow {
                return PeerFigures(sideBySide: true, label: "measured side by side on \(cpu) at \(date)\(detail)", tokensPerSecond: figures)
            }
            let when = age.map { String(format: "%.1f h ", abs($0) / 3600) + ($0 >= 0 ? "before" : "after") + " this run" } ?? "date not ISO 8601"
            return PeerFigures(sideBySide: false,
                               label: "figures from this CPU model (\(cpu), \(date), \(when)\(detail)), not side by side: run scripts/bench-peer.sh and pass --peer FILE",
                               tokensPerSecond: figures)
        }
        return PeerFigures(sideBySide: false,
                           label: "figures from another CPU (\(cpu), \(date)\(detail)), not side by side with this \(thisCPU)",
                           tokensPerSecond: figures)
    }

    /// One line per figure, in the order the benchmark runs, in whole tokens/s (`--show-peer`).
    func listing(sizes: [String], modes: [String], batches: [Int]) -> String {
        var lines: [String] = []
        for size in sizes {
            for mode in ["train", "lora"] where modes.contains(mode) {
                for b in batches { lines.append("\(size) \(mode) B=\(b): \(Int(figure(size: size, mode: mode, batch: b)!.rounded())) tok/s") }
            }
            if modes.contains("sample") { lines.append("\(size) sample 64×32: \(Int(figure(size: size, mode: "sample", batch: 64)!.rounded())) new tok/s") }
        }
        return lines.joined(separator: "\n")
    }

    /// Throws, before any timing, when a requested row has no figure: the file names what is missing.
    func requireFigures(sizes: [String], modes: [String], batches: [Int], source: String) throws {
        var missing: [String] = []
        for size in sizes {
            for mode in ["train", "lora"] where modes.contains(mode) {
                for b in batches where figure(size: size, mode: mode, batch: b) == nil { missing.append("\(size) \(mode) B=\(b)") }
            }
            if modes.contains("sample") && figure(size: size, mode: "sample", batch: 64) == nil { missing.append("\(size) sample") }
        }
        guard missing.isEmpty else {
            throw ConfigError.invalid(source: source, path: "--peer", line: nil,
                                      message: "no peer figure for \(missing.joined(separator: ", "))",
                                      fix: "run scripts/bench-peer.sh --sizes \(sizes.joined(separator: ",")) --modes \(modes.joined(separator: ",")) --batches \(batches.map(String.init).joined(separator: ",")) --out FILE and pass --peer FILE")
        }
    }

    /// This machine's CPU as scripts/bench_peer.py names it: /proc/cpuinfo's "model name" plus
    /// "(family F model M)", because under KVM the name alone is often just "AMD EPYC".
    static func cpuName(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> String {
        var fields: [String: String] = [:]
        for line in (cpuinfo ?? "").split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            if fields[key] == nil { fields[key] = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "" }
        }
        var name = fields["model name"] ?? "unknown CPU"
        if let family = fields["cpu family"], let model = fields["model"] { name += " (family \(family) model \(model))" }
        return name
    }
}
