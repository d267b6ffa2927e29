import Foundation
import Testing

/// scripts/profile_model.py --flat, the reader of the per-phase profiles docs/gpt.md quotes: on a synthetic
/// `perf script -F time,ip,sym,dso` listing it skips what comes before the first sample in a model kernel
/// (the raw-SGEMM reference), counts OpenBLAS samples as GEMM with their packing share, and names the
/// model's kernels by their symbols.
@Suite struct ProfileScriptTests {
    @Test func flatProfileCountsFromTheFirstModelKernel() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let lines = [
            "10.000: 1 sgemm_kernel_HASWELL (/usr/lib/libopenblasp-r0.3.21.so)", // the reference: left out
            "10.001: 2 sgemm_oncopy_HASWELL (/usr/lib/libopenblasp-r0.3.21.so)", // left out
            "10.002: 3 $s10TensorCore9AttentionO7forward3out (/build/bridge)",
            "10.003: 4 sgemm_kernel_HASWELL (/usr/lib/libopenblasp-r0.3.21.so)",
            "10.004: 5 sgemm_itcopy_HASWELL (/usr/lib/libopenblasp-r0.3.21.so)",
            "10.005: 6 $s10TensorCore4GELUO7forward3out (/build/bridge)",
        ]
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", repo.appendingPathComponent("scripts/profile_model.py").path, "--flat"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(out)")
        #expect(out.contains("4 samples"), "\(out)")
        let rows = out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(rows.contains { $0.hasPrefix("OpenBLAS GEMM") && $0.hasSuffix("50.0 %") }, "\(out)")
        #expect(rows.contains { $0.hasPrefix("of which packing") && $0.hasSuffix("25.0 %") }, "\(out)")
        #expect(rows.contains { $0.hasPrefix("attention") && $0.hasSuffix("25.0 %") }, "\(out)")
        #expect(rows.contains { $0.hasPrefix("GELU") && $0.hasSuffix("25.0 %") }, "\(out)")
    }
}
