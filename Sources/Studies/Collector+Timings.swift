import BridgeSupport
import Foundation

extension Collector {
    /// The timings `timingSummaryTable` summarises, in this order, where any run has them.
    public static let summarisedTimings = [RunTimings.wallSeconds, RunTimings.stepSeconds, RunTimings.tokensPerSecond, RunTimings.peakRSSMB]

    public static let timingSummaryColumns = ["timing", "n", "mean", "std", "ci95_low", "ci95_high",
                                              "reference", "n_pairs", "ratio_mean", "ratio_ci95_low", "ratio_ci95_high"]

    /// Wall time, step time, throughput and memory per group over its finished runs (mean, std and 95%
    /// t-interval), and with `compare_to` the ratio run ÷ reference run paired by seed (`pairing`: mean
    /// and t-interval of the per-seed ratios), for the cost of a method relative to another. Timings are
    /// not byte-stable, so this is printed (`bridge study table --timings`), never written to the folder;
    /// a comparison of wall times holds only when every run had a core of its own and nothing else ran.
    public func timingSummaryTable() -> CSVTable {
        var table = CSVTable(columns: groupColumns + Collector.timingSummaryColumns)
        let timings = records.map { RunTimings.normalised($0.timings) }
        let names = Collector.summarisedTimings.filter { n in timings.contains { $0[n] != nil } }
        let pairs = Dictionary(pairing().map { ($0.group, $0.pairs) }, uniquingKeysWith: { a, _ in a })
        let label = plan.reference?.label ?? ""
        func cell(_ v: Double?) -> CSVTable.Cell { v.map { .number($0) } ?? .empty }
        for (key, runs) in groups() {
            let finished = runs.filter { records[$0].status == "finished" }
            let group = groupLabel(key)
            for name in names {
                let s = Statistics.summarise(finished.compactMap { timings[$0][name] }, streamName: group + "/timing/" + name)
                var row: [CSVTable.Cell] = key.map { .text($0) } + [.text(name), .integer(s.n), cell(s.mean), cell(s.std), cell(s.ciLow), cell(s.ciHigh)]
                if let p = pairs[key] {
                    let ratios = p.compactMap { q -> Double? in
                        guard let a = timings[q.run][name], let b = timings[q.reference][name], b > 0 else { return nil }
                        return a / b
                    }
                    let r = Statistics.summarise(ratios, streamName: group + "/timing-ratio-vs-" + label + "/" + name)
                    row += [.text(label), .integer(r.n), cell(r.mean), cell(r.ciLow), cell(r.ciHigh)]
                } else {
                    row += [.empty, .empty, .empty, .empty, .empty]
                }
                table.append(row)
            }
        }
        return table
    }
}
