import BridgeSupport
import Foundation
import Testing

/// `bridge doctor` and the OpenBLAS core selection as a user meets them: the variables, the re-execution,
/// the inheritance by child processes, the warning and --strict. Every case starts from a clean slate of
/// the selection variables so that a core exported by scripts/test.sh does not leak in.
@Suite struct DoctorCLITests {
    static let clean: [String: String?] = [
        "OPENBLAS_CORETYPE": nil, "BRIDGE_BLAS_CORE": nil, "BRIDGE_BLAS_CORE_SET": nil,
        "BRIDGE_BLAS_CORE_OPENBLAS_CHOICE": nil, "BRIDGE_BLAS_CORE_SOURCE": nil, "BRIDGE_BLAS_CORE_REASON": nil,
        "BRIDGE_KERNELS": nil,
    ]

    func doctorJSON(_ env: [String: String?], in dir: URL) throws -> [String: Any] {
        let r = try runBridge(["doctor", "--json"], in: dir, environment: Self.clean.merging(env) { $1 })
        #expect(r.status == 0, "\(r.err)")
        return try #require(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    }

    func core(_ json: [String: Any]) throws -> [String: Any] { try #require(json["blas_core"] as? [String: Any]) }

    /// A core the user names is put in place by re-executing bridge; a child started with the variables
    /// the parent holds (a study worker) runs the same core without deciding again.
    @Test func namedCoreIsAppliedAndInherited() throws {
        let dir = try makeTempDir("doctor-named")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = try core(doctorJSON([:], in: dir))
        // Sandybridge (AVX) runs on every CPU this project builds natively for; skip where it does not.
        guard plain["best_for_cpu"] is String, plain["in_use"] as? String != "Sandybridge" else { return }
        let named = try core(doctorJSON(["BRIDGE_BLAS_CORE": "Sandybridge"], in: dir))
        #expect(named["in_use"] as? String == "Sandybridge")
        #expect(named["source"] as? String == "bridge-user")
        #expect(named["openblas_choice"] as? String == plain["openblas_choice"] as? String)

        let exports = try runBridge(["doctor", "--export-env"], in: dir,
                                    environment: Self.clean.merging(["BRIDGE_BLAS_CORE": "Sandybridge"]) { $1 })
        #expect(exports.out.contains("export OPENBLAS_CORETYPE='Sandybridge'"))
        var inherited = Self.clean
        for line in exports.out.split(separator: "\n") {
            let kv = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
            inherited[String(kv[0])] = String(kv[1].dropFirst().dropLast())
        }
        let child = try core(doctorJSON(inherited, in: dir))
        #expect(child["in_use"] as? String == "Sandybridge")
        #expect(child["source"] as? String == "bridge-user")
    }

    /// OPENBLAS_CORETYPE from the environment is kept even when it is a generic core; doctor warns, and
    /// --strict turns the warning into a failure.
    @Test func environmentCoreIsKeptAndGenericCoreWarns() throws {
        let dir = try makeTempDir("doctor-env")
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = Self.clean.merging(["OPENBLAS_CORETYPE": "Prescott", "BRIDGE_BLAS_CORE": "auto"]) { $1 }
        let json = try core(doctorJSON(env, in: dir))
        #expect(json["in_use"] as? String == "Prescott")
        #expect(json["source"] as? String == "environment")
        let strict = try runBridge(["doctor", "--strict"], in: dir, environment: env)
        if json["best_for_cpu"] is String {
            #expect(json["warning"] is String)
            #expect(strict.status != 0)
            #expect(strict.err.contains("OPENBLAS_CORETYPE=\(json["best_for_cpu"]!)"))
        } else {
            #expect(strict.status == 0)
        }
        #expect(try runBridge(["doctor", "--strict"], in: dir, environment: Self.clean).status == 0)
    }

    /// The kernel generation shows in doctor (and so in every provenance record); an unknown one stops
    /// every command before it runs, naming the variable and the values.
    @Test func kernelGenerationIsShownAndAnUnknownOneRefused() throws {
        let dir = try makeTempDir("doctor-kernels")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try doctorJSON(["BRIDGE_KERNELS": "1"], in: dir)["kernels"] as? Int == 1)
        let plain = try doctorJSON([:], in: dir)
        let portable = (plain["code_generation"] as? String ?? "").hasPrefix("portable")
        let latest = 3
        #expect(plain["kernels"] as? Int == (portable ? 1 : latest), "a native build runs the latest by default, a portable one 1")
        #expect(try doctorJSON(["BRIDGE_KERNELS": "latest"], in: dir)["kernels"] as? Int == latest)
        let text = try runBridge(["doctor"], in: dir, environment: Self.clean.merging(["BRIDGE_KERNELS": "2"]) { $1 })
        #expect(text.out.contains("kernels           generation 2: fused multiply-add"), "\(text.out)")
        if !portable {
            let latestText = try runBridge(["doctor"], in: dir, environment: Self.clean).out
            #expect(latestText.contains("kernels           generation 3: generation 2, with each training step taken in chunks of 1024 rows")
                    && latestText.contains("BRIDGE_KERNELS=1 or 2 for an earlier one"), "\(latestText)")
        }
        let bad = try runBridge(["doctor"], in: dir, environment: Self.clean.merging(["BRIDGE_KERNELS": "7"]) { $1 })
        #expect(bad.status == 2 && bad.err.contains("BRIDGE_KERNELS=7 is not a kernel generation"), "\(bad.err)")
    }

    @Test func invalidSettingIsRefusedWithTheNearestValue() throws {
        let dir = try makeTempDir("doctor-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try runBridge(["doctor"], in: dir, environment: Self.clean.merging(["BRIDGE_BLAS_CORE": "Haswel"]) { $1 })
        #expect(r.status == 2)
        #expect(r.err.contains("BRIDGE_BLAS_CORE=Haswel is not a valid value (did you mean 'Haswell'?)"))
    }
}

/// `bridge bench cores` as a user runs it: one round, the selected core against a core set by hand.
@Suite struct BenchCoresCLITests {
    @Test func selectedCoreIsComparedWithAHandSetCore() throws {
        let dir = try makeTempDir("bench-cores")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try runBridge(["bench", "cores", "--rounds", "1", "--core", "Prescott", "--out", "cores.csv"], in: dir,
                              environment: DoctorCLITests.clean)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("selected / Prescott: median"))
        let (header, rows) = CSVTable.parse(try String(contentsOf: dir.appendingPathComponent("cores.csv"), encoding: .utf8))
        #expect(header == ["op", "M", "K", "N", "selected_gflops", "Prescott_gflops", "selected_over_Prescott"])
        #expect(rows.count == 18)   // bench kernels --quick: 2 row counts × 3 layers × 3 GEMMs
        for row in rows { #expect((Double(row[4]) ?? 0) > 0 && (Double(row[6]) ?? 0) > 0, "\(row)") }
        // Beside the CSV: when, where and with which cores it was measured.
        let meta = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("cores.provenance.json"))) as? [String: Any])
        let settings = try #require(meta["settings"] as? [String: Any])
        #expect(meta["date_utc"] is String && meta["cpu_name"] is String && (meta["numerics"] as? [String: Any])?["openblas_core"] is String, "\(meta)")
        #expect((settings["configurations"] as? [String])?.last == "Prescott: Prescott" && settings["rounds"] as? Int == 1, "\(settings)")

        let bad = try runBridge(["bench", "cores", "--core", "Skylake"], in: dir)
        #expect(bad.status != 0)
        #expect(bad.err.contains("did you mean 'SkylakeX'?"))
    }
}
