import CNumerics

/// A linear layer's weight packed once for many products with few rows: the KV-cache decoder (kernel
/// generation 2) multiplies 64 rows per step by weights that do not change during a sampling call, and
/// OpenBLAS would copy every weight matrix into its panel layout again at every step (a sixth of a
/// medium model's sampling time; docs/gpt.md, "Packing").
///
/// Layout: panels of 16 output channels; panel p holds, for each input channel k, W[16p ..< 16p + 16][k]
/// (zeros past OC). Arithmetic: out[n, o] = bias[o] + Σ_k inp[n, k]·W[o, k], the sum a chain of fused
/// multiply-adds in ascending k from 0 (a different summation than OpenBLAS's blocked one, so the last
/// bits differ from `Linear.forward`'s).
public final class PackedLinear {
    public let outChannels: Int, inChannels: Int
    let panels: Int
    let data: FloatPointer

    /// weight (OC, C) row-major, as `Linear` takes it.
    public init(weight: ConstFloatPointer, OC: Int, C: Int) {
        outChannels = OC; inChannels = C
        panels = (OC + 15) / 16
        data = LargeBuffer.allocate(panels * 16 * C)
        data.initialize(repeating: 0, count: max(panels * 16 * C, 1))
        pack(weight: weight)
    }

    /// Packs `weight` (OC, C), of this layer's shape, into the panels (the columns past OC stay zero).
    public func pack(weight: ConstFloatPointer) {
        let C = inChannels
        for o in 0..<outChannels {
            let p = o / 16, j = o % 16, w = weight + o * C, d = data + p * 16 * C + j
            for k in 0..<C { d[k * 16] = w[k] }
        }
    }

    deinit { LargeBuffer.deallocate(data) }

    /// out (N, OC) = inp (N, C) · Wᵀ + bias, or with `accumulate` out = (out + inp · Wᵀ) + bias (the
    /// order `Linear.forward` uses for each).
    public func forward(out: FloatPointer, inp: ConstFloatPointer, bias: ConstFloatPointer?, N: Int, accumulate: Bool) {
        let C = inChannels, OC = outChannels
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 6 * 16) { buf in
            let tile = buf.baseAddress!
            let panelBytes = 16 * C * MemoryLayout<Float>.size, blocks = max(1, (N + 5) / 6)
            let prefetchPerBlock = (panelBytes / blocks + 63) / 64 * 64
            for p in 0..<panels {
                let panel = UnsafePointer(data + p * 16 * C), o0 = p * 16, width = min(16, OC - o0)
                // The next panel comes from memory (the weights of a decode step outgrow the caches); its
                // lines are requested a share per row block of this one, so that its first block finds
                // them in cache instead of waiting on a stream that memory feeds slower than the block reads.
                let next = p + 1 < panels ? UnsafeRawPointer(data + (p + 1) * 16 * C) : nil
                var prefetched = 0
                var n = 0
                while n < N {
                    if let next {
                        let end = min(prefetched + prefetchPerBlock, panelBytes)
                        while prefetched < end { cnumerics_prefetch(next + prefetched); prefetched += 64 }
                    }
                    let rows = min(6, N - n)
                    // 6 rows at once; of fewer, 4 at once and the rest one by one
                    let blocked = rows == 6 ? 6 : rows >= 4 ? 4 : 0
                    if blocked == 6 { Self.block6(tile, inp + n * C, panel, C: C) }
                    if blocked == 4 { Self.block4(tile, inp + n * C, panel, C: C) }
                    for r in blocked..<rows { Self.block1(tile + r * 16, inp + (n + r) * C, panel, C: C) }
                    for r in 0..<rows {
                        let o = out + (n + r) * OC + o0, acc = tile + r * 16
                        if width == 16 {
                            var v0 = Self.load(acc), v1 = Self.load(acc + 8)
                            if accumulate { v0 = Self.load(o) + v0; v1 = Self.load(o + 8) + v1 }
                            if let bias { v0 = v0 + Self.load(bias + o0); v1 = v1 + Self.load(bias + o0 + 8) }
                            Self.store(v0, o); Self.store(v1, o + 8)
                        } else {
                            for j in 0..<width {
                                var v = accumulate ? o[j] + acc[j] : acc[j]
                                if let bias { v = v + bias[o0 + j] }
                                o[j] = v
                            }
                        }
                    }
                    n += rows
                }
            }
        }
    }

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { AttentionTiles.load(p) }
    @inline(__always) static func store(_ v: SIMD8<Float>, _ p: FloatPointer) { AttentionTiles.store(v, p) }

    /// tile (4, 16) = rows a (4, C) · panel: 8 accumulators, two fused multiply-adds (`FusedProducts`'
    /// vector step) per row and k, each row's value broadcast once (for 4 or 5 rows left after the 6-row
    /// blocks; not inlined, so that the caller's values do not compete for the vector registers).
    @inline(never)
    static func block4(_ tile: FloatPointer, _ a: ConstFloatPointer, _ panel: ConstFloatPointer, C: Int) {
        let a0 = a, a1 = a0 + C, a2 = a1 + C, a3 = a2 + C
        var s00 = SIMD8<Float>(), s01 = SIMD8<Float>(), s10 = SIMD8<Float>(), s11 = SIMD8<Float>()
        var s20 = SIMD8<Float>(), s21 = SIMD8<Float>(), s30 = SIMD8<Float>(), s31 = SIMD8<Float>()
        var k = 0
        while k < C {
            let w0 = load(panel + k * 16), w1 = load(panel + k * 16 + 8)
            var x = SIMD8(repeating: a0[k])
            FusedProducts.addProduct(&s00, x, w0); FusedProducts.addProduct(&s01, x, w1)
            x = SIMD8(repeating: a1[k])
            FusedProducts.addProduct(&s10, x, w0); FusedProducts.addProduct(&s11, x, w1)
            x = SIMD8(repeating: a2[k])
            FusedProducts.addProduct(&s20, x, w0); FusedProducts.addProduct(&s21, x, w1)
            x = SIMD8(repeating: a3[k])
            FusedProducts.addProduct(&s30, x, w0); FusedProducts.addProduct(&s31, x, w1)
            k += 1
        }
        store(s00, tile); store(s01, tile + 8); store(s10, tile + 16); store(s11, tile + 24)
        store(s20, tile + 32); store(s21, tile + 40); store(s30, tile + 48); store(s31, tile + 56)
    }

    /// tile (6, 16) = rows a (6, C) · panel: as `block4` with 12 accumulators (15 of AVX2's 16 vector
    /// registers, no spill): 8 chains only just cover the fused multiply-add's latency at two per cycle, 12
    /// leave slack for the loads. Each output is the same chain as in `block4`.
    @inline(never)
    static func block6(_ tile: FloatPointer, _ a: ConstFloatPointer, _ panel: ConstFloatPointer, C: Int) {
        let a0 = a, a1 = a0 + C, a2 = a1 + C, a3 = a2 + C, a4 = a3 + C, a5 = a4 + C
        var s00 = SIMD8<Float>(), s01 = SIMD8<Float>(), s10 = SIMD8<Float>(), s11 = SIMD8<Float>()
        var s20 = SIMD8<Float>(), s21 = SIMD8<Float>(), s30 = SIMD8<Float>(), s31 = SIMD8<Float>()
        var s40 = SIMD8<Float>(), s41 = SIMD8<Float>(), s50 = SIMD8<Float>(), s51 = SIMD8<Float>()
        var k = 0
        while k < C {
            let w0 = load(panel + k * 16), w1 = load(panel + k * 16 + 8)
            var x = SIMD8(repeating: a0[k])
            FusedProducts.addProduct(&s00, x, w0); FusedProducts.addProduct(&s01, x, w1)
            x = SIMD8(repeating: a1[k])
            FusedProducts.addProduct(&s10, x, w0); FusedProducts.addProduct(&s11, x, w1)
            x = SIMD8(repeating: a2[k])
            FusedProducts.addProduct(&s20, x, w0); FusedProducts.addProduct(&s21, x, w1)
            x = SIMD8(repeating: a3[k])
            FusedProducts.addProduct(&s30, x, w0); FusedProducts.addProduct(&s31, x, w1)
            x = SIMD8(repeating: a4[k])
            FusedProducts.addProduct(&s40, x, w0); FusedProducts.addProduct(&s41, x, w1)
            x = SIMD8(repeating: a5[k])
            FusedProducts.addProduct(&s50, x, w0); FusedProducts.addProduct(&s51, x, w1)
            k += 1
        }
        store(s00, tile); store(s01, tile + 8); store(s10, tile + 16); store(s11, tile + 24)
        store(s20, tile + 32); store(s21, tile + 40); store(s30, tile + 48); store(s31, tile + 56)
        store(s40, tile + 64); store(s41, tile + 72); store(s50, tile + 80); store(s51, tile + 88)
    }

    /// One row: the same chain per output channel as `block4`.
    @inline(__always)
    static func block1(_ tile: FloatPointer, _ a: ConstFloatPointer, _ panel: ConstFloatPointer, C: Int) {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
        for k in 0..<C {
            let x = SIMD8(repeating: a[k])
            FusedProducts.addProduct(&s0, x, load(panel + k * 16)); FusedProducts.addProduct(&s1, x, load(panel + k * 16 + 8))
        }
        store(s0, tile); store(s1, tile + 8)
    }
}

