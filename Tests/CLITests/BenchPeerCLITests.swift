import Foundation
import Testing

/// `bridge bench model --peer FILE`: the peer file is read, every ratio is computed against it, the
/// table and CSV say which peer was used, and a bad file is an error that names it and the fix.
@Suite("bench model peer")
struct BenchPeerCLITests {
    /// A peer file as scripts/bench-peer.sh writes it, for the tiny sampling row only; `cpu` is
    /// substituted so that the same fixture can be this machine's or another one's.
    static func fixture(cpu: String, sampleRate: Double = 1000, date: String = fixtureDate) -> String {
        """
        {"kind": "peer", "impl": "torch eager", "torch": "2.13.0+cpu", "blas": "mkl (test)", "cpu": "\(cpu)", "date": "\(date)", "threads": 1}
        {"kind": "figure", "size": "tiny", "mode": "train", "batch": 16, "seq_len": 64, "tokens_per_s": 5000}

        {"kind": "figure", "size": "tiny", "mode": "sample", "batch": 64, "seq_len": 48, "tokens_per_s": \(sampleRate), "wall_tokens_per_s": 990.5}
        """
    }

    /// A minute ago, in the peer script's ISO 8601 form: a file measured beside this run.
    static let fixtureDate = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))

    /// This machine's CPU as the peer script names it (the same rule as PeerFigures.cpuName).
    static func thisCPU() -> String {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            if fields[key] == nil { fields[key] = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "" }
        }
        var name = fields["model name"] ?? "unknown CPU"
        if let family = fields["cpu family"], let model = fields["model"] { name += " (family \(family) model \(model))" }
        return name
    }

    static let quickSample = ["bench", "model", "--quick", "--sizes", "tiny", "--modes", "sample", "--min-seconds", "0.01"]

    /// CSV rows as column name -> value.
    static func rows(_ url: URL) throws -> [[String: String]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var records: [[String]] = []
        for line in text.split(separator: "\n") {
            // The label is the one quoted field and ends the row: split off the quoted tail first.
            if let q = line.firstIndex(of: "\"") {
                records.append(line[..<q].split(separator: ",", omittingEmptySubsequences: false).dropLast().map(String.init)
                               + [String(line[line.index(after: q)...].dropLast())])
            } else {
                records.append(line.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
            }
        }
        let header = records[0]
        return records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    @Test("ratios are computed against the peer file, labelled as measured side by side on this CPU")
    func sideBySide() throws {
        let dir = try makeTempDir("peer-side")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.fixture(cpu: Self.thisCPU()).write(to: dir.appendingPathComponent("peer.jsonl"), atomically: true, encoding: .utf8)
        let r = try runBridge(Self.quickSample + ["--peer", "peer.jsonl", "--out", "b.csv"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        let row = try #require(try Self.rows(dir.appendingPathComponent("b.csv")).first)
        let rate = try #require(Double(row["tokens_per_s"] ?? "")), ratio = try #require(Double(row["ratio_peer"] ?? ""))
        #expect(row["peer_tokens_per_s"] == "1000")
        #expect(abs(ratio - rate / 1000) <= 0.0005 + 1e-9, "ratio \(ratio) vs \(rate) / 1000")
        #expect(row["target_ratio_peer"] == "2" && row["meets_target"] == (rate / 1000 >= 2 ? "yes" : "no"))
        #expect(row["peer_side_by_side"] == "yes")
        let label = "measured side by side on \(Self.thisCPU()) at \(Self.fixtureDate); torch 2.13.0+cpu, blas mkl, peer.jsonl"
        #expect(row["peer"] == label, "\(row)")
        #expect(r.out.contains("peer: " + label) && r.out.contains("Peer: " + label), "\(r.out)")
    }

    @Test("a peer file from this CPU model but an earlier session is labelled as not side by side, with its age")
    func sameCPUEarlierSession() throws {
        let dir = try makeTempDir("peer-old")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.fixture(cpu: Self.thisCPU(), date: "2026-01-02T03:04:05Z").write(to: dir.appendingPathComponent("peer.jsonl"), atomically: true, encoding: .utf8)
        let r = try runBridge(Self.quickSample + ["--peer", "peer.jsonl", "--out", "b.csv"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        let row = try #require(try Self.rows(dir.appendingPathComponent("b.csv")).first)
        #expect(row["peer_side_by_side"] == "no", "\(row)")
        #expect(row["peer"]?.hasPrefix("figures from this CPU model (\(Self.thisCPU()), 2026-01-02T03:04:05Z, ") == true
                && row["peer"]?.contains("h before this run") == true && row["peer"]?.contains("not side by side") == true, "\(row)")
    }

    @Test("a peer file from another CPU is labelled as not side by side; no --peer uses the stored figures")
    func otherMachineAndStored() throws {
        let dir = try makeTempDir("peer-other")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.fixture(cpu: "Some Other CPU", sampleRate: 2000, date: "2026-01-02T03:04:05Z").write(to: dir.appendingPathComponent("peer.jsonl"), atomically: true, encoding: .utf8)
        let r = try runBridge(Self.quickSample + ["--peer", "peer.jsonl", "--out", "b.csv"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        let row = try #require(try Self.rows(dir.appendingPathComponent("b.csv")).first)
        #expect(row["peer_tokens_per_s"] == "2000" && row["peer_side_by_side"] == "no")
        #expect(row["peer"]?.hasPrefix("figures from another CPU (Some Other CPU, 2026-01-02T03:04:05Z") == true, "\(row)")
        let s = try runBridge(Self.quickSample + ["--out", "s.csv"], in: dir)
        #expect(s.status == 0, "\(s.err)")
        let stored = try #require(try Self.rows(dir.appendingPathComponent("s.csv")).first)
        #expect(stored["peer_side_by_side"] == "no" && stored["peer"]?.hasPrefix("stored figures from ") == true, "\(stored)")
        #expect(s.out.contains("not side by side"), "\(s.out)")
    }

    @Test("the stored default equals the figures of the docs file it names (--show-peer, no timing)")
    func storedMatchesDocs() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/bench_model_peer_quiet_f.jsonl")
        let dir = try makeTempDir("peer-stored")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try runBridge(["bench", "model", "--show-peer", "--peer", docs.path], in: dir)
        let b = try runBridge(["bench", "model", "--show-peer"], in: dir)
        #expect(a.status == 0 && b.status == 0, "\(a.err) \(b.err)")
        let fromFile = a.out.split(separator: "\n").dropFirst(), stored = b.out.split(separator: "\n").dropFirst()
        #expect(fromFile.count == 15 && fromFile == stored, "\(a.out) vs \(b.out)")
        #expect(b.out.hasPrefix("peer: stored figures from ") && b.out.contains("docs/bench_model_peer_quiet_f.jsonl; not side by side"), "\(b.out)")
    }

    @Test("--show-peer lists a fixture's figures without timing")
    func showPeer() throws {
        let dir = try makeTempDir("peer-show")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.fixture(cpu: "Some Other CPU").write(to: dir.appendingPathComponent("peer.jsonl"), atomically: true, encoding: .utf8)
        let r = try runBridge(["bench", "model", "--show-peer", "--peer", "peer.jsonl", "--sizes", "tiny", "--modes", "sample"], in: dir)
        #expect(r.status == 0 && r.out.hasSuffix("\ntiny sample 64×32: 1000 new tok/s\n"), "\(r.out) \(r.err)")
    }

    /// The Markdown row of a table printed by `--markdown-from` for tiny sampling, split into cells.
    static func sampleRow(_ out: String) -> [String] {
        let line = out.split(separator: "\n").first { $0.hasPrefix("| tiny | sample |") } ?? ""
        return line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test("the CSV gets a provenance file; --markdown-from with --peer recomputes every ratio against a peer measured after it")
    func markdownFromWithPeer() throws {
        let dir = try makeTempDir("peer-markdown")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try runBridge(Self.quickSample + ["--out", "b.csv"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        let meta = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("b.provenance.json"))) as? [String: Any])
        let stamp = try #require(meta["date_utc"] as? String), measured = try #require(ISO8601DateFormatter().date(from: stamp))
        #expect(meta["cpu_name"] as? String == Self.thisCPU() && (meta["numerics"] as? [String: Any])?["openblas_core"] is String, "\(meta)")
        let first = try #require(try Self.rows(dir.appendingPathComponent("b.csv")).first)
        let rate = try #require(Double(first["tokens_per_s"] ?? ""))

        // The peer ran 20 minutes after the benchmark (round "bridge first, then peer"): side by side.
        let later = ISO8601DateFormatter().string(from: measured.addingTimeInterval(1200))
        try Self.fixture(cpu: Self.thisCPU(), sampleRate: 1000, date: later).write(to: dir.appendingPathComponent("after.jsonl"), atomically: true, encoding: .utf8)
        let m = try runBridge(["bench", "model", "--markdown-from", "b.csv", "--peer", "after.jsonl"], in: dir)
        #expect(m.status == 0, "\(m.err)")
        let row = Self.sampleRow(m.out)
        let ratio = try #require(Double(row.count > 8 ? row[8] : "")) // cells: size, mode, B, tokens/s, …, peer, ratio, target, met
        #expect(row.count == 11 && row[7] == "1000" && abs(ratio - rate / 1000) <= 0.0005 + 1e-9 && row[10] == (rate / 1000 >= 2 ? "yes" : "no"), "\(row)")
        #expect(m.out.contains("\nPeer: measured side by side on \(Self.thisCPU()) at \(later); torch 2.13.0+cpu, blas mkl, after.jsonl"), "\(m.out)")
        // The arithmetic that measured the table, from the provenance file (as the run printed it).
        let core = try #require((meta["numerics"] as? [String: Any])?["openblas_core"] as? String)
        let kernels = try #require((meta["numerics"] as? [String: Any])?["kernels"] as? Int)
        #expect(m.out.contains("\nNumerics: OpenBLAS core \(core)") && m.out.contains("kernel generation \(kernels), code generation ")
                && m.out.contains("1 BLAS thread (b.provenance.json)") && r.out.contains("\nNumerics: OpenBLAS core \(core)"), "\(m.out)")

        // Five hours after: the same CPU, not side by side; the age is counted from the CSV, not from now.
        let muchLater = ISO8601DateFormatter().string(from: measured.addingTimeInterval(5 * 3600))
        try Self.fixture(cpu: Self.thisCPU(), sampleRate: 500, date: muchLater).write(to: dir.appendingPathComponent("late.jsonl"), atomically: true, encoding: .utf8)
        let l = try runBridge(["bench", "model", "--markdown-from", "b.csv", "--peer", "late.jsonl"], in: dir)
        #expect(l.status == 0 && Self.sampleRow(l.out).dropFirst(7).first == "500", "\(l.out) \(l.err)")
        #expect(l.out.contains(", 5.0 h after this run; torch 2.13.0+cpu, blas mkl, late.jsonl), not side by side"), "\(l.out)")

        // Without --peer the table keeps the CSV's own ratios (the stored figures it was written with).
        let plain = try runBridge(["bench", "model", "--markdown-from", "b.csv"], in: dir)
        #expect(plain.status == 0 && plain.out.contains("\nPeer: stored figures from ") && plain.out.contains("\nNumerics: "), "\(plain.out)")

        // A CSV without its provenance file cannot be judged side by side.
        try FileManager.default.copyItem(at: dir.appendingPathComponent("b.csv"), to: dir.appendingPathComponent("bare.csv"))
        let bare = try runBridge(["bench", "model", "--markdown-from", "bare.csv", "--peer", "after.jsonl"], in: dir)
        #expect(bare.status == 0 && bare.out.contains("not known to be side by side: the CSV has no provenance file")
                && !bare.out.contains("Numerics: "), "\(bare.out) \(bare.err)")

        // A peer file without a figure for one of the CSV's rows names the row and the fix.
        try #"{"kind": "peer", "cpu": "x", "date": "2026-01-02T03:04:05Z"}"#.write(to: dir.appendingPathComponent("none.jsonl"), atomically: true, encoding: .utf8)
        let none = try runBridge(["bench", "model", "--markdown-from", "b.csv", "--peer", "none.jsonl"], in: dir)
        #expect(none.status != 0 && none.err.contains("none.jsonl: '--peer': no peer figure for tiny sample B=64 (row 2 of b.csv)")
                && none.err.contains("scripts/bench-peer.sh"), "\(none.err)")

        // A damaged provenance file is an error naming it, not a silent "no provenance".
        try "{}".write(to: dir.appendingPathComponent("b.provenance.json"), atomically: true, encoding: .utf8)
        let damaged = try runBridge(["bench", "model", "--markdown-from", "b.csv", "--peer", "after.jsonl"], in: dir)
        #expect(damaged.status != 0 && damaged.err.contains("b.provenance.json") && damaged.err.contains("not a bench model provenance file"), "\(damaged.err)")
    }

    @Test("a missing, malformed or incomplete peer file is an error naming the file and scripts/bench-peer.sh")
    func errors() throws {
        let dir = try makeTempDir("peer-errors")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(file: String, text: String?, says: String)] = [
            ("absent.jsonl", nil, "absent.jsonl: '--peer': file not found"),
            ("junk.jsonl", "size,mode\ntiny,train\n", "junk.jsonl:1: '--peer': not a JSON object"),
            ("noheader.jsonl", #"{"kind": "figure", "size": "tiny", "mode": "sample", "batch": 64, "tokens_per_s": 9}"#,
             "noheader.jsonl:1: '--peer': the first record must be"),
            ("badrate.jsonl", Self.fixture(cpu: "x") + "\n" + #"{"kind": "figure", "size": "tiny", "mode": "sample", "batch": 64, "tokens_per_s": "fast"}"#,
             "badrate.jsonl:5: '--peer': a figure needs size"),
            ("twice.jsonl", Self.fixture(cpu: "x") + "\n" + #"{"kind": "figure", "size": "tiny", "mode": "sample", "batch": 64, "tokens_per_s": 7}"#,
             "twice.jsonl:5: '--peer': a second figure for tiny sample B=64"),
            ("empty.jsonl", "\n", "empty.jsonl: '--peer': empty"),
            ("partial.jsonl", Self.fixture(cpu: "x"), "partial.jsonl: '--peer': no peer figure for small sample"),
        ]
        for c in cases {
            if let text = c.text { try text.write(to: dir.appendingPathComponent(c.file), atomically: true, encoding: .utf8) }
            let r = try runBridge(["bench", "model", "--sizes", "tiny,small", "--modes", "sample", "--peer", c.file, "--out", "b.csv"], in: dir)
            #expect(r.status != 0 && r.err.contains(c.says) && r.err.contains("scripts/bench-peer.sh"), "\(c.file): \(r.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("b.csv").path), "no timing, no CSV on a bad peer file")
    }

    /// Runs scripts/bench-peer.sh for real (tiny sampling only): with the CPU wheel reachable, its file
    /// gives a side-by-side table; without it, the script says the peer is missing and exits non-zero.
    @Test("scripts/bench-peer.sh writes a peer file that bench model reads as side by side (BRIDGE_LONG_TESTS=1)",
          .enabled(if: ProcessInfo.processInfo.environment["BRIDGE_LONG_TESTS"] == "1"))
    func script() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = try makeTempDir("peer-script")
        defer { try? FileManager.default.removeItem(at: dir) }
        let peer = dir.appendingPathComponent("peer.jsonl").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [repo.appendingPathComponent("scripts/bench-peer.sh").path, "--sizes", "tiny", "--modes", "sample",
                       "--min-seconds", "0.1", "--out", peer]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            #expect(errText.contains("peer missing"), "exit \(p.terminationStatus): \(errText)")
            return
        }
        let r = try runBridge(Self.quickSample + ["--peer", peer, "--out", "b.csv"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        let row = try #require(try Self.rows(dir.appendingPathComponent("b.csv")).first)
        #expect(row["peer_side_by_side"] == "yes" && row["peer"]?.hasPrefix("measured side by side on ") == true, "\(row)")
    }
}
