import BridgeSupport
import Foundation
import Studies
import Testing

/// `Collector.timingSummaryTable`: per group mean and t-interval of each timing, and the per-seed
/// ratio to the reference run.
@Suite struct TimingSummaryTests {
    @Test func groupMeansAndPairedRatiosComeFromTimingsCSV() throws {
        let dir = try temporaryFolder("timing-summary")
        try runInProcess(PairedTests.spec, dir: dir)
        let runs = CSVTable.parse(try read(dir, "runs.csv")), timings = CSVTable.parse(try read(dir, "timings.csv"))
        let wallCol = timings.header.firstIndex(of: "wall_s")!
        let wall = Dictionary(uniqueKeysWithValues: timings.rows.map { ($0[0], Double($0[wallCol])!) })
        // run id → (method, learning rate, seed)
        let info = runs.rows.map { (id: $0[0], method: $0[3], seed: Int($0[4])!, lr: $0[5]) }
        let table = CSVTable.parse(try Collector(dir: dir).timingSummaryTable().text)
        #expect(table.header == ["method", "learning_rate"] + Collector.timingSummaryColumns)
        func col(_ n: String) -> Int { table.header.firstIndex(of: n)! }
        for m in ["sgd", "heavy_ball"] {
            for lr in ["0.05", "0.2"] {
                let row = try #require(table.rows.first { $0[0] == m && $0[1] == lr && $0[col("timing")] == "wall_s" })
                let mine = info.filter { $0.method == m && $0.lr == lr }
                let x = mine.map { wall[$0.id]! }
                #expect(row[col("n")] == "3")
                #expect(row[col("mean")] == Format.number(Statistics.mean(x)))
                if m == "sgd" {
                    #expect(row[col("reference")].isEmpty && row[col("ratio_mean")].isEmpty, "the reference group has no ratio")
                } else {
                    let ratios = mine.sorted { $0.seed < $1.seed }.map { r in
                        wall[r.id]! / wall[info.first { $0.method == "sgd" && $0.lr == lr && $0.seed == r.seed }!.id]!
                    }
                    #expect(row[col("reference")] == "sgd" && row[col("n_pairs")] == "3")
                    #expect(row[col("ratio_mean")] == Format.number(Statistics.mean(ratios)))
                }
            }
        }
    }
}
