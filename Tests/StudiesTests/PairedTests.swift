import BridgeSupport
import Foundation
import Studies
import Testing

/// paired.csv: every method minus the reference method, paired by seed (and the other varied values).
@Suite struct PairedTests {
    static let spec = toySpecText.replacingOccurrences(of: "forgetting: [eval/toy/*]", with: "forgetting: [eval/toy/*]\ncompare_to: sgd")

    @Test func differencesArePairedBySeedAndIntervalsComputed() throws {
        let dir = try temporaryFolder("paired")
        try runInProcess(Self.spec, dir: dir)
        let runs = CSVTable.parse(try read(dir, "runs.csv")), paired = CSVTable.parse(try read(dir, "paired.csv"))
        #expect(paired.header == ["method", "learning_rate", "reference", "metric", "n_pairs", "mean_diff", "std", "stderr",
                                  "ci95_low", "ci95_high", "boot_low", "boot_high", "resolved"])
        // Only heavy_ball rows (the reference has none), one per learning rate and value column.
        #expect(Set(paired.rows.map { $0[0] }) == ["heavy_ball"])
        let col = runs.header.firstIndex(of: "train/loss:final")!
        for lr in ["0.05", "0.2"] {
            func x(_ m: String) -> [Int: Double] {
                Dictionary(uniqueKeysWithValues: runs.rows.filter { $0[3] == m && $0[5] == lr }.map { (Int($0[4])!, Double($0[col])!) })
            }
            let hb = x("heavy_ball"), sgd = x("sgd")
            let d = hb.keys.sorted().map { hb[$0]! - sgd[$0]! }
            let row = try #require(paired.rows.first { $0[1] == lr && $0[3] == "train/loss:final" })
            let s = Statistics.summarise(d, streamName: "method=heavy_ball,learning_rate=\(lr)/paired-vs-sgd/train/loss:final")
            #expect(row[2] == "sgd" && row[4] == "3")
            #expect(row[5] == Format.number(s.mean!) && row[8] == Format.number(s.ciLow!) && row[10] == Format.number(s.bootLow!))
            #expect(row[12] == ((s.ciLow! > 0 || s.ciHigh! < 0) ? "yes" : "no"))
        }
        // Two seeds are never a verdict, even when both differences agree exactly.
        let two = try temporaryFolder("paired-two")
        try runInProcess(Self.spec, dir: two, preset: "quick")
        for row in CSVTable.parse(try read(two, "paired.csv")).rows {
            #expect((row[4] == "2" || row[4] == "0") && row[12] == "no", "\(row)")
        }
    }

    /// A key only another method's explicit run sets (the reference runs at one value of it) does not
    /// split the pairs: that run is paired with the reference run of its seed.
    @Test func aKeyTheReferenceDoesNotVaryDoesNotBlockPairing() throws {
        let text = Self.spec.replacingOccurrences(of: "  grid:\n    method: [sgd, heavy_ball]\n    learning_rate: [0.05, 0.2]\n",
                                                  with: "  runs:\n    - {method: sgd, learning_rate: 0.05}\n    - {method: heavy_ball, learning_rate: 0.05}\n    - {method: heavy_ball, learning_rate: 0.2}\n")
        #expect(text != Self.spec)
        let dir = try temporaryFolder("paired-explicit")
        try runInProcess(text, dir: dir)
        let runs = CSVTable.parse(try read(dir, "runs.csv")), paired = CSVTable.parse(try read(dir, "paired.csv"))
        let col = runs.header.firstIndex(of: "train/loss:final")!
        for lr in ["0.05", "0.2"] {
            let row = try #require(paired.rows.first { $0[1] == lr && $0[3] == "train/loss:final" })
            #expect(row[4] == "3", "heavy_ball at \(lr) pairs with sgd at 0.05 over the three seeds")
            let hb = runs.rows.filter { $0[3] == "heavy_ball" && $0[5] == lr }, sgd = runs.rows.filter { $0[3] == "sgd" }
            let d = zip(hb, sgd).map { Double($0.0[col])! - Double($0.1[col])! }
            #expect(row[5] == Format.number(d.reduce(0, +) / 3))
        }
    }

    @Test func unknownReferenceIsRefusedWithTheNearestMethod() throws {
        let dir = try temporaryFolder("paired-bad")
        let text = toySpecText.replacingOccurrences(of: "forgetting: [eval/toy/*]", with: "forgetting: [eval/toy/*]\ncompare_to: sdg")
        let message = errorText { try runInProcess(text, dir: dir) }
        #expect(message.contains("compare_to") && message.contains("did you mean 'sgd'?"), "\(message)")
    }

    @Test func specsWithoutCompareToKeepTheirHashAndWriteNoPairedFile() throws {
        let plain = try StudySpec.parse(yaml: toySpecText, source: "a.yaml").effective(preset: nil, overrides: [])
        let paired = try StudySpec.parse(yaml: Self.spec, source: "b.yaml").effective(preset: nil, overrides: [])
        #expect(plain.hash != paired.hash)
        #expect(!plain.tree.canonicalJSON.contains("compare_to"))
        let dir = try temporaryFolder("paired-none")
        try runInProcess(toySpecText, dir: dir)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("paired.csv").path))
    }
    static func withReference(_ yaml: String) -> String {
        toySpecText.replacingOccurrences(of: "forgetting: [eval/toy/*]", with: "forgetting: [eval/toy/*]\ncompare_to: " + yaml)
    }

    /// A reference point (a learning rate) pairs every run off it with the run on it of the same seed and,
    /// since the point leaves the method free and the reference runs vary over it, the same method.
    @Test func aReferencePointPairsRunsOffItWithTheRunOnIt() throws {
        let dir = try temporaryFolder("paired-point")
        try runInProcess(Self.withReference("{learning_rate: 0.05}"), dir: dir)
        let runs = CSVTable.parse(try read(dir, "runs.csv")), paired = CSVTable.parse(try read(dir, "paired.csv"))
        let col = runs.header.firstIndex(of: "train/loss:final")!
        // Only the learning rate off the point has rows, one per method.
        #expect(Set(paired.rows.map { $0[1] }) == ["0.2"])
        for m in ["sgd", "heavy_ball"] {
            func x(_ lr: String) -> [Int: Double] {
                Dictionary(uniqueKeysWithValues: runs.rows.filter { $0[3] == m && $0[5] == lr }.map { (Int($0[4])!, Double($0[col])!) })
            }
            let off = x("0.2"), on = x("0.05")
            let d = off.keys.sorted().map { off[$0]! - on[$0]! }
            let row = try #require(paired.rows.first { $0[0] == m && $0[3] == "train/loss:final" })
            let s = Statistics.summarise(d, streamName: "method=\(m),learning_rate=0.2/paired-vs-learning_rate=0.05/train/loss:final")
            #expect(row[2] == "learning_rate=0.05" && row[4] == "3")
            #expect(row[5] == Format.number(s.mean!) && row[8] == Format.number(s.ciLow!) && row[10] == Format.number(s.bootLow!))
        }
    }

    /// A point that fixes every varied key pairs each other run with the one reference run of its seed;
    /// the method key may be part of a point.
    @Test func aPointFixingEveryKeyPairsBySeedAlone() throws {
        let dir = try temporaryFolder("paired-point-all")
        try runInProcess(Self.withReference("{method: sgd, learning_rate: 0.05}"), dir: dir)
        let runs = CSVTable.parse(try read(dir, "runs.csv")), paired = CSVTable.parse(try read(dir, "paired.csv"))
        let col = runs.header.firstIndex(of: "train/loss:final")!
        #expect(paired.rows.filter { $0[3] == "train/loss:final" }.count == 3)
        let ref = Dictionary(uniqueKeysWithValues: runs.rows.filter { $0[3] == "sgd" && $0[5] == "0.05" }.map { (Int($0[4])!, Double($0[col])!) })
        for row in paired.rows where row[3] == "train/loss:final" {
            let off = runs.rows.filter { $0[3] == row[0] && $0[5] == row[1] }
            let d = off.map { Double($0[col])! - ref[Int($0[4])!]! }
            #expect(row[2] == "learning_rate=0.05,method=sgd" && row[4] == "3", "keys sorted")
            #expect(row[5] == Format.number(Statistics.summarise(d, streamName: "").mean!), "\(row)")
        }
    }

    @Test func aBadReferencePointIsRefusedNamingTheFix() throws {
        let cases: [(yaml: String, expected: [String])] = [
            ("{learning_rat: 0.05}", ["learning_rat", "did you mean 'learning_rate'?"]),
            ("{learning_rate: 0.1}", ["never takes the value 0.1", "0.05, 0.2"]),
            ("[sgd]", ["a method name or a mapping"]),
            ("{learning_rate: [0.05]}", ["one scalar"]),
            ("{}", ["empty reference point"]),
        ]
        for c in cases {
            let dir = try temporaryFolder("paired-point-bad")
            let message = errorText { try runInProcess(Self.withReference(c.yaml), dir: dir) }
            #expect(message.contains("compare_to"), "\(c.yaml): \(message)")
            for e in c.expected { #expect(message.contains(e), "\(c.yaml): \(message)") }
        }
    }

    /// The point is stored in study.json as the spec wrote it and read back the same.
    @Test func aReferencePointRoundTripsThroughStudyJSON() throws {
        let dir = try temporaryFolder("paired-point-json")
        try runInProcess(Self.withReference("{learning_rate: 0.05}"), dir: dir)
        let plan = try StudyPlan.read(from: dir)
        #expect(plan.reference == .point([.init(key: "learning_rate", value: .number(0.05))]))
        #expect(plan.reference?.label == "learning_rate=0.05")
    }
}
