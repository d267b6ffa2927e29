import Testing
import TensorCore

/// The mapping from CPU flags, OpenBLAS's own choice, the build and BRIDGE_BLAS_CORE to the core that
/// runs (docs/kernels.md, "OpenBLAS core selection"). Fed synthetic CPUs: nothing depends on the machine
/// running the test.
@Suite struct BLASCoreSelectionTests {
    static let avx512: Set<String> = ["sse3", "avx", "fma", "avx2", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
    /// The machine of the issue: Xeon family 6 model 207, unknown to OpenBLAS 0.3.21.
    static let xeon207 = CPUInfo(vendor: "GenuineIntel", family: 6, model: 207, modelName: "Intel(R) Xeon(R) Platinum", flags: avx512)
    static let intelAVX2 = CPUInfo(vendor: "GenuineIntel", family: 6, model: 200, modelName: "x", flags: ["sse3", "avx", "fma", "avx2"])
    static let amdAVX2 = CPUInfo(vendor: "AuthenticAMD", family: 25, model: 99, modelName: "x", flags: ["sse3", "avx", "fma", "avx2"])
    /// AMD EPYC Zen 4 (family 25 model 17): AVX-512 executed as two 256-bit halves.
    static let zen4 = CPUInfo(vendor: "AuthenticAMD", family: 25, model: 17, modelName: "AMD EPYC", flags: avx512.union(["avx512_bf16"]))
    static let zen5 = CPUInfo(vendor: "AuthenticAMD", family: 26, model: 2, modelName: "AMD EPYC", flags: avx512)
    static let avxOnly = CPUInfo(vendor: "GenuineIntel", family: 6, model: 42, modelName: "x", flags: ["sse3", "avx"])
    static let sseOnly = CPUInfo(vendor: "GenuineIntel", family: 6, model: 23, modelName: "x", flags: ["sse3", "ssse3"])
    static let everything: @Sendable (OpenBLASCore) -> Bool = { $0 != .sapphireRapids }

    func decide(_ policy: BLASCorePolicy = .auto, env: String? = nil, choice: String = "Prescott", cpu: CPUInfo?,
                dynamic: Bool = true, available: @escaping (OpenBLASCore) -> Bool = everything) throws -> BLASCoreDecision {
        try BLASCoreDecision.decide(policy: policy, environmentCoreType: env, openblasChoice: choice, cpu: cpu,
                                    dynamicArch: dynamic, available: available)
    }

    @Test func genericFallbackOnAVX512PicksSkylakeX() throws {
        let d = try decide(cpu: Self.xeon207)
        #expect(d.request == .skylakeX)
        #expect(d.source == .bridgeAuto)
        #expect(d.reason.contains("Prescott") && d.reason.contains("model 207"))
    }

    @Test func everyGenericFallbackIsReplaced() throws {
        for core in OpenBLASCore.allCases where core.tier == .generic {
            #expect(try decide(choice: core.rawValue, cpu: Self.xeon207).request == .skylakeX, "\(core)")
        }
    }

    @Test func missingTierFallsToTheNextOneTheBuildHas() throws {
        let noAVX512 = try decide(cpu: Self.xeon207, available: { $0.tier < .avx512 })
        #expect(noAVX512.request == .haswell)
        let onlySandybridge = try decide(cpu: Self.xeon207, available: { $0 == .sandybridge || $0.tier == .generic })
        #expect(onlySandybridge.request == .sandybridge)
    }

    @Test func avx2MapsToHaswellOnIntelAndZenOnAMD() throws {
        #expect(try decide(cpu: Self.intelAVX2).request == .haswell)
        #expect(try decide(cpu: Self.amdAVX2).request == .zen)
        #expect(try decide(cpu: Self.avxOnly).request == .sandybridge)
    }

    @Test func cpuWithoutAVXKeepsTheGenericCore() throws {
        let d = try decide(cpu: Self.sseOnly)
        #expect(d.request == nil)
        #expect(d.source == .openblas)
        #expect(try decide(cpu: nil).request == nil)
    }

    @Test func aKnownCoreIsNeverReplacedByAuto() throws {
        for core in OpenBLASCore.allCases where core.tier > .generic {
            #expect(try decide(choice: core.rawValue, cpu: Self.xeon207).request == nil, "\(core)")
        }
    }

    @Test func zen4RunsTheAVX2KernelsInsteadOfOpenBLASsAVX512Choice() throws {
        #expect(Self.zen4.halvesAVX512 && !Self.zen5.halvesAVX512 && !Self.xeon207.halvesAVX512 && !Self.amdAVX2.halvesAVX512)
        for choice in ["Cooperlake", "SkylakeX"] {
            let d = try decide(choice: choice, cpu: Self.zen4)
            #expect(d.request == .haswell, "\(choice)")
            #expect(d.source == .bridgeAuto)
            #expect(d.reason.contains(choice) && d.reason.contains("two 256-bit halves"))
        }
        #expect(BLASCoreDecision.bestCore(for: Self.zen4, available: Self.everything) == .haswell)
        #expect(BLASCoreDecision.bestCore(for: Self.zen4, available: { $0 != .haswell }) == .zen)
        // OpenBLAS's AVX2 choice stands; a generic fallback on Zen 4 is replaced by Haswell, not SkylakeX.
        #expect(try decide(choice: "Zen", cpu: Self.zen4).request == nil)
        #expect(try decide(choice: "Prescott", cpu: Self.zen4).request == .haswell)
        // Zen 5 and Intel keep OpenBLAS's AVX-512 choice; keep and a named core are obeyed on Zen 4.
        #expect(try decide(choice: "Cooperlake", cpu: Self.zen5).request == nil)
        #expect(try decide(choice: "Cooperlake", cpu: Self.xeon207).request == nil)
        #expect(try decide(.keep, choice: "Cooperlake", cpu: Self.zen4).request == nil)
        #expect(try decide(.core(.cooperlake), choice: "SkylakeX", cpu: Self.zen4).request == .cooperlake)
        #expect(try decide(env: "Cooperlake", choice: "Cooperlake", cpu: Self.zen4).request == nil)
    }

    @Test func environmentValueIsNeverChanged() throws {
        let d = try decide(.core(.haswell), env: "Prescott", cpu: Self.xeon207)
        #expect(d.request == nil)
        #expect(d.source == .environment)
        #expect(d.reason.contains("BRIDGE_BLAS_CORE=Haswell is ignored"))
        #expect(try decide(env: "Prescott", cpu: Self.xeon207).request == nil)
    }

    @Test func keepAndStaticBuildsChangeNothing() throws {
        #expect(try decide(.keep, cpu: Self.xeon207).request == nil)
        #expect(try decide(cpu: Self.xeon207, dynamic: false).request == nil)
    }

    @Test func namedCoreIsSetWhenTheCPUAndBuildCanRunIt() throws {
        let d = try decide(.core(.haswell), choice: "Cooperlake", cpu: Self.xeon207)
        #expect(d.request == .haswell)
        #expect(d.source == .bridgeUser)
        #expect(try decide(.core(.cooperlake), choice: "Cooperlake", cpu: Self.xeon207).request == nil)
        #expect(throws: BLASCoreError.self) { try decide(.core(.skylakeX), cpu: Self.intelAVX2) }
        #expect(throws: BLASCoreError.self) { try decide(.core(.sapphireRapids), cpu: Self.xeon207) }
    }

    @Test func policyParsingNamesTheNearestValue() throws {
        #expect(try BLASCorePolicy.parse(nil) == .auto)
        #expect(try BLASCorePolicy.parse("") == .auto)
        #expect(try BLASCorePolicy.parse("KEEP") == .keep)
        #expect(try BLASCorePolicy.parse("skylakex") == .core(.skylakeX))
        do {
            _ = try BLASCorePolicy.parse("Skylake")
            Issue.record("an unknown core name must be refused")
        } catch let e as BLASCoreError {
            #expect(e.description.contains("BRIDGE_BLAS_CORE=Skylake") && e.description.contains("'SkylakeX'"))
        }
    }

    @Test func cpuinfoParsing() throws {
        let text = """
            processor\t: 0
            vendor_id\t: GenuineIntel
            cpu family\t: 6
            model\t\t: 207
            model name\t: Intel(R) Xeon(R) Platinum 8581C
            flags\t\t: fpu sse3 avx fma avx2 avx512f avx512bw avx512dq avx512vl

            processor\t: 1
            vendor_id\t: Other
            """
        let cpu = try #require(CPUInfo.parse(text))
        #expect(cpu.vendor == "GenuineIntel" && cpu.family == 6 && cpu.model == 207)
        #expect(cpu.modelName == "Intel(R) Xeon(R) Platinum 8581C")
        #expect(cpu.tier == .avx512)
        #expect(cpu.presentFlagsThatMatter == ["sse3", "avx", "fma", "avx2", "avx512f", "avx512bw", "avx512dq", "avx512vl"])
        #expect(CPUInfo.parse("processor : 0\nCPU implementer : 0x41\n") == nil)
    }

    /// The build on this machine: the running core is one of the known names (so the decision's name
    /// matching applies to it), and a DYNAMIC_ARCH build exports its families' tables.
    @Test func thisBuildsCoresAreKnown() {
        #expect(OpenBLASCore(name: BLAS.coreName) != nil, "unknown core name \(BLAS.coreName)")
        if BLASCoreSetup.isDynamicArch { #expect(BLASCoreSetup.buildHas(.prescott)) }
    }
}
