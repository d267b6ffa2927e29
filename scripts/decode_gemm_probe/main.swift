// Used by scripts/decode-gemm-probe.sh: the KV-cache decoder's GEMMs (M = 64 rows, one per sequence, the
// four linear layers of every block, weights cold as in a decode step) through OpenBLAS, which packs
// every weight matrix again on every call, against a plain register-blocked kernel on weights packed
// once (as a decoder could pack them once per sampling call). Prints both rates (median thread CPU time
// of 15 rounds) and whether the results are bitwise equal; and the rate of one sequential read of a
// buffer the size of the KV cache a decode step attends over (64 sequences × 32 positions, keys and
// values), the attention's memory floor. A measurement, not project code.
import Foundation
@_silgen_name("cblas_sgemm") func cblas_sgemm(_ o: Int32, _ ta: Int32, _ tb: Int32, _ m: Int32, _ n: Int32, _ k: Int32, _ alpha: Float,
    _ a: UnsafePointer<Float>, _ lda: Int32, _ b: UnsafePointer<Float>, _ ldb: Int32, _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int32)
@_silgen_name("openblas_set_num_threads") func openblas_set_num_threads(_ n: Int32)
func cpuNow() -> Double { var ts = timespec(); clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9 }
@inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
@inline(__always) func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self) }

/// W (N×K row-major) -> panels of 16 output columns: panel p holds, for each k, W[16p ..< 16p+16][k].
func pack(_ w: UnsafePointer<Float>, N: Int, K: Int) -> UnsafeMutablePointer<Float> {
    let out = UnsafeMutablePointer<Float>.allocate(capacity: N * K)
    for p in 0..<(N / 16) { for k in 0..<K { for j in 0..<16 { out[(p * K + k) * 16 + j] = w[(p * 16 + j) * K + k] } } }
    return out
}
/// C (M×N) = A (M×K) · Wᵀ from packed panels; 6 rows × 16 columns per register block, k ascending, fused
/// multiply-add (the operation OpenBLAS's kernels use).
func gemmPacked(_ a: UnsafePointer<Float>, _ wp: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, M: Int, N: Int, K: Int) {
    for p in 0..<(N / 16) {
        let panel = wp + p * K * 16
        var i0 = 0
        while i0 + 6 <= M {
            let a0 = a + i0 * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K, a4 = a3 + K, a5 = a4 + K
            var s00 = SIMD8<Float>(), s01 = SIMD8<Float>(), s10 = SIMD8<Float>(), s11 = SIMD8<Float>()
            var s20 = SIMD8<Float>(), s21 = SIMD8<Float>(), s30 = SIMD8<Float>(), s31 = SIMD8<Float>()
            var s40 = SIMD8<Float>(), s41 = SIMD8<Float>(), s50 = SIMD8<Float>(), s51 = SIMD8<Float>()
            var k = 0
            while k < K {
                let w0 = load(panel + k * 16), w1 = load(panel + k * 16 + 8)
                var x = SIMD8<Float>(repeating: a0[k]); s00 = s00.addingProduct(x, w0); s01 = s01.addingProduct(x, w1)
                x = SIMD8<Float>(repeating: a1[k]); s10 = s10.addingProduct(x, w0); s11 = s11.addingProduct(x, w1)
                x = SIMD8<Float>(repeating: a2[k]); s20 = s20.addingProduct(x, w0); s21 = s21.addingProduct(x, w1)
                x = SIMD8<Float>(repeating: a3[k]); s30 = s30.addingProduct(x, w0); s31 = s31.addingProduct(x, w1)
                x = SIMD8<Float>(repeating: a4[k]); s40 = s40.addingProduct(x, w0); s41 = s41.addingProduct(x, w1)
                x = SIMD8<Float>(repeating: a5[k]); s50 = s50.addingProduct(x, w0); s51 = s51.addingProduct(x, w1)
                k += 1
            }
            let o = c + i0 * N + p * 16
            store(s00, o); store(s01, o + 8); store(s10, o + N); store(s11, o + N + 8)
            store(s20, o + 2 * N); store(s21, o + 2 * N + 8); store(s30, o + 3 * N); store(s31, o + 3 * N + 8)
            store(s40, o + 4 * N); store(s41, o + 4 * N + 8); store(s50, o + 5 * N); store(s51, o + 5 * N + 8)
            i0 += 6
        }
        while i0 < M { // remaining rows one at a time
            let ar = a + i0 * K
            var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
            for k in 0..<K { let x = SIMD8<Float>(repeating: ar[k]); s0 = s0.addingProduct(x, load(panel + k * 16)); s1 = s1.addingProduct(x, load(panel + k * 16 + 8)) }
            store(s0, c + i0 * N + p * 16); store(s1, c + i0 * N + p * 16 + 8)
            i0 += 1
        }
    }
}
openblas_set_num_threads(1)
let args = CommandLine.arguments
let C = Int(args[1])!, L = Int(args[2])!, M = Int(args[3])!
let shapes = [(3 * C, C), (C, C), (4 * C, C), (C, 4 * C)] // (N, K)
var ws: [[UnsafeMutablePointer<Float>]] = [], wps: [[UnsafeMutablePointer<Float>]] = []
var seed: UInt64 = 1
func rnd() -> Float { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Float(Int64(bitPattern: seed >> 11) % 2_000_001) / 1_000_000 - 1 }
for _ in 0..<L {
    var l: [UnsafeMutablePointer<Float>] = [], lp: [UnsafeMutablePointer<Float>] = []
    for (n, k) in shapes { let w = UnsafeMutablePointer<Float>.allocate(capacity: n * k); for i in 0..<(n * k) { w[i] = rnd() * 0.05 }; l.append(w); lp.append(pack(w, N: n, K: k)) }
    ws.append(l); wps.append(lp)
}
let a = UnsafeMutablePointer<Float>.allocate(capacity: M * 4 * C); for i in 0..<(M * 4 * C) { a[i] = rnd() }
let c1 = UnsafeMutablePointer<Float>.allocate(capacity: M * 4 * C), c2 = UnsafeMutablePointer<Float>.allocate(capacity: M * 4 * C)
func blas() { for l in 0..<L { for (j, (n, k)) in shapes.enumerated() { cblas_sgemm(101, 111, 112, Int32(M), Int32(n), Int32(k), 1, a, Int32(k), ws[l][j], Int32(k), 0, c1, Int32(n)) } } }
func mine() { for l in 0..<L { for (j, (n, k)) in shapes.enumerated() { gemmPacked(a, wps[l][j], c2, M: M, N: n, K: k) } } }
// equality check on one shape (last layer's fc2, K = 4C)
var maxd: Float = 0, bitEqual = true
for (j, (n, k)) in shapes.enumerated() {
    cblas_sgemm(101, 111, 112, Int32(M), Int32(n), Int32(k), 1, a, Int32(k), ws[0][j], Int32(k), 0, c1, Int32(n))
    gemmPacked(a, wps[0][j], c2, M: M, N: n, K: k)
    for i in 0..<(M * n) { maxd = max(maxd, abs(c1[i] - c2[i])); if c1[i].bitPattern != c2[i].bitPattern { bitEqual = false } }
}
print("max |diff| vs OpenBLAS \(maxd), bitwise equal: \(bitEqual)")
let flop = 2.0 * Double(M) * 12 * Double(C * C) * Double(L)
var tb: [Double] = [], tm: [Double] = []
blas(); mine()
for _ in 0..<15 { var t0 = cpuNow(); blas(); tb.append(cpuNow() - t0); t0 = cpuNow(); mine(); tm.append(cpuNow() - t0) }
tb.sort(); tm.sort()
print(String(format: "C=%d L=%d M=%d: OpenBLAS %.1f GFLOP/s, packed-once Swift %.1f GFLOP/s, ratio %.2f", C, L, M, flop / tb[7] / 1e9, flop / tm[7] / 1e9, tb[7] / tm[7]))

// One decode step's cache: 64 sequences, 32 attended positions, keys and values of every layer.
let cacheFloats = 64 * 32 * 2 * C * L
let cache = UnsafeMutablePointer<Float>.allocate(capacity: cacheFloats)
for i in 0..<cacheFloats { cache[i] = Float(i & 1023) }
func readAll() -> Float {
    var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
    var i = 0
    while i + 32 <= cacheFloats { s0 += load(cache + i); s1 += load(cache + i + 8); s2 += load(cache + i + 16); s3 += load(cache + i + 24); i += 32 }
    return (s0 + s1 + s2 + s3).sum()
}
var tr: [Double] = [], sink: Float = 0
sink += readAll()
for _ in 0..<15 { let t0 = cpuNow(); sink += readAll(); tr.append(cpuNow() - t0) }
tr.sort()
print(String(format: "  read of one decode step's KV cache (%.1f MB): %.1f GB/s, %.3f ms (checksum %g)", Double(cacheFloats * 4) / 1e6,
             Double(cacheFloats * 4) / tr[7] / 1e9, tr[7] * 1e3, sink))
