import BridgeSupport
import Foundation
import TensorCore

/// `bridge bench model`'s own settings in its provenance file (see `BenchProvenance`).
struct BenchModelSettings: Encodable {
    var sizes: [String]
    var modes: [String]
    var batches: [Int]
    var quick: Bool
    /// Seconds per timed measurement actually used.
    var minSeconds: Double
    /// The peer label the CSV's ratios were computed against.
    var peer: String

    enum CodingKeys: String, CodingKey { case sizes, modes, batches, quick, minSeconds = "min_seconds", peer }
}

/// Reads back what `--markdown-from CSV` needs of a bench model provenance file: when and on which CPU
/// the CSV was measured, to judge whether a peer file measured later (a round run as "bridge first, then
/// the peer") was side by side with it, and the numerics that measured it.
struct BenchModelProvenance {
    let url: URL
    /// The file's JSON object; nil when it is not one.
    let object: [String: Any]?

    /// The provenance file beside `csv`, read and parsed once; nil when there is none (CSVs written
    /// before it existed). A file that is there but unreadable is an error naming it.
    init?(besides csv: URL) throws {
        url = BenchProvenance<BenchModelSettings>.url(besides: csv)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let text = try AtomicFile.readText(url, what: "bench model provenance")
        object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    /// The CPU and start time the file records; a file without them is an error naming it.
    func measured() throws -> (cpu: String, date: Date) {
        guard let cpu = object?["cpu_name"] as? String, let stamp = object?["date_utc"] as? String,
              let date = ISO8601DateFormatter().date(from: stamp) else {
            throw ConfigError.invalid(source: url.path, path: "cpu_name, date_utc", line: nil,
                                      message: "not a bench model provenance file (needs string fields cpu_name and an ISO 8601 date_utc)",
                                      fix: "restore the file written by `bridge bench model`, or move it away to treat the CSV as having none")
        }
        return (cpu, date)
    }

    /// The line under a Markdown table that says what arithmetic measured it (nil when the file records no
    /// numerics): a table copied into a paper names the OpenBLAS core, the kernel generation (a file
    /// written before generations existed was generation 1) and the code generation.
    var numericsLine: String? {
        guard let numerics = object?["numerics"] as? [String: Any] else { return nil }
        let core = (numerics["blas_core"] as? [String: Any]).flatMap { c in
            (c["in_use"] as? String).map { $0 + ((c["source"] as? String).map { " (chosen by \($0))" } ?? "") }
        } ?? (numerics["openblas_core"] as? String) ?? "?"
        let kernels = numerics["kernels"] as? Int ?? 1
        let codegen = (numerics["code_generation"] as? String)?.split(separator: " ").first.map(String.init) ?? "?"
        let threads = numerics["blas_threads"] as? Int
        return "Numerics: OpenBLAS core \(core), kernel generation \(kernels), code generation \(codegen)"
            + (threads.map { ", \($0) BLAS thread" + ($0 == 1 ? "" : "s") } ?? "") + " (\(url.lastPathComponent))"
    }
}

extension BenchModel {
    /// The Markdown table of a CSV written by this command; with `peer`, its peer columns recomputed
    /// against that file first.
    static func markdown(from path: String, peer: String?) throws -> String {
        let csv = URL(fileURLWithPath: path)
        let text = try AtomicFile.readText(csv, what: "--markdown-from")
        let provenance = try BenchModelProvenance(besides: csv)
        let numerics = provenance?.numericsLine.map { "\n" + $0 } ?? ""
        guard let peer else { return markdown(csv: text) + numerics }
        let measured = try provenance?.measured()
        let figures = try PeerFigures.load(path: peer, thisCPU: measured?.cpu, measuredAt: measured?.date ?? Date())
        return markdown(csv: try recomputed(csv: text, source: path, peer: figures, peerSource: peer)) + numerics
    }

    /// `csv` with peer_tokens_per_s, ratio_peer, meets_target, peer_side_by_side and peer recomputed
    /// from `peer` for every row (rounded as the benchmark rounds them); the measured columns are kept.
    static func recomputed(csv: String, source: String, peer: PeerFigures, peerSource: String) throws -> String {
        let (header, rows) = CSVTable.parse(csv)
        let needed = ["size", "mode", "batch", "tokens_per_s", "peer_tokens_per_s", "ratio_peer", "target_ratio_peer",
                      "meets_target", "peer_side_by_side", "peer"]
        let missing = needed.filter { !header.contains($0) }
        guard missing.isEmpty else {
            throw ConfigError.invalid(source: source, path: "--markdown-from", line: 1,
                                      message: "no column \(missing.joined(separator: ", ")) (not a CSV of this version of `bridge bench model`)",
                                      fix: "re-run `bridge bench model --peer FILE` to get ratios against FILE")
        }
        var table = CSVTable(columns: header)
        for (i, row) in rows.enumerated() {
            var cells = Dictionary(zip(header, row.map { CSVTable.Cell.text($0) }), uniquingKeysWith: { first, _ in first })
            func value(_ name: String) -> String { field(header, row, name) }
            guard let batch = Int(value("batch")), let rate = Double(value("tokens_per_s")) else {
                throw ConfigError.invalid(source: source, path: "batch, tokens_per_s", line: i + 2,
                                          message: "not a number", fix: "restore the CSV written by `bridge bench model`")
            }
            guard let p = peer.figure(size: value("size"), mode: value("mode"), batch: batch) else {
                throw ConfigError.invalid(source: peerSource, path: "--peer", line: nil,
                                          message: "no peer figure for \(value("size")) \(value("mode")) B=\(batch) (row \(i + 2) of \(source))",
                                          fix: PeerFigures.fix)
            }
            cells["peer_tokens_per_s"] = .number(p.rounded())
            cells["ratio_peer"] = .number(BenchModel.round3(rate / p))
            if let target = Double(value("target_ratio_peer")) { cells["meets_target"] = .text(rate / p >= target ? "yes" : "no") }
            cells["peer_side_by_side"] = .text(peer.sideBySide ? "yes" : "no")
            cells["peer"] = .text(peer.label)
            table.append(named: cells)
        }
        return table.text
    }

    /// The cell of `row` in column `name` ("" when the CSV has no such column or the row is short).
    static func field(_ header: [String], _ row: [String], _ name: String) -> String {
        header.firstIndex(of: name).map { $0 < row.count ? row[$0] : "" } ?? ""
    }

    /// The docs table: one row per CSV row.
    static func markdown(csv: String) -> String {
        let (header, rows) = CSVTable.parse(csv)
        func col(_ row: [String], _ name: String) -> String { field(header, row, name) }
        var lines = ["| size | mode | B | tokens/s | GFLOP/s | SGEMM GFLOP/s | ratio to SGEMM | peer tokens/s | ratio to peer | target | met |",
                     "|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in rows {
            lines.append("| " + ["size", "mode", "batch", "tokens_per_s", "gflops", "sgemm_gflops", "ratio_sgemm",
                                 "peer_tokens_per_s", "ratio_peer", "target_ratio_peer", "meets_target"].map { col(r, $0) }.joined(separator: " | ") + " |")
        }
        // CSVs written before the peer columns existed have no label (their peer was REPORT.md's figures).
        let labels = Set(rows.map { col($0, "peer") }.filter { !$0.isEmpty })
        if !labels.isEmpty { lines.append("\nPeer: " + labels.sorted().joined(separator: "; ")) }
        return lines.joined(separator: "\n")
    }
}
