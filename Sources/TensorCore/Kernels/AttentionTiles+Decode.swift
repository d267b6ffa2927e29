/// The KV-cache decoder's attention: one query row against the cached positions of all heads of a
/// sequence at once. Each score and output element is the same sum, in the same order, as in
/// `causalScores` / `causalWeightedSum` (so the decoder still equals the full forward bit for bit);
/// what differs is the cache layout and that several heads run side by side. One head alone gives a
/// single chain of dependent vector adds per 8 outputs (latency-bound); four heads give four to eight.
///
/// Key layout (`blockedKeyOffset`): a head's keys in blocks of 8 positions, each block channel-major
/// (hs × 8 floats), so that a score vector (8 positions, one channel) is one contiguous load and
/// writing one new key touches hs/2 cache lines instead of hs (the transposed layout's one float per line).
extension AttentionTiles {
    /// Offset of channel c of position p in a head's blocked key storage (hs channels).
    @inline(__always)
    public static func blockedKeyOffset(position p: Int, channel c: Int, hs: Int) -> Int {
        (p >> 3) * 8 * hs + c * 8 + (p & 7)
    }

    /// Floats a head's blocked key storage needs for `positions` positions (whole blocks of 8).
    @inline(__always)
    public static func blockedKeyCount(positions: Int, hs: Int) -> Int { (positions + 7) / 8 * 8 * hs }

    /// One query row of the KV-cache decoder, every head: scores against the n cached keys (blocked
    /// layout), softmax, and the weighted sum of the cached values into out (heads·hs). scores holds one
    /// row of ldo floats per head (ldo ≥ n rounded up to 8). The generation's arithmetic, as in training.
    public static func decodeRow(out: FloatPointer, scores: FloatPointer, ldo: Int, q: ConstFloatPointer,
                                 keys: ConstFloatPointer, values: ConstFloatPointer, headStride: Int, heads: Int,
                                 n: Int, hs: Int, scale: Float, kernels: KernelGeneration = .current) {
        switch kernels.arithmetic {
        case .separate: Tiles<SeparateProducts>.decodeRow(out: out, scores: scores, ldo: ldo, q: q, keys: keys, values: values,
                                                    headStride: headStride, heads: heads, n: n, hs: hs, scale: scale)
        case .fused: Tiles<FusedProducts>.decodeRow(out: out, scores: scores, ldo: ldo, q: q, keys: keys, values: values,
                                                 headStride: headStride, heads: heads, n: n, hs: hs, scale: scale)
        }
    }
}

extension Tiles {
    @inline(__always)
    static func decodeRow(out: FloatPointer, scores: FloatPointer, ldo: Int, q: ConstFloatPointer, keys: ConstFloatPointer,
                          values: ConstFloatPointer, headStride: Int, heads: Int, n: Int, hs: Int, scale: Float) {
        decodeScores(out: scores, ldo: ldo, q: q, keys: keys, headStride: headStride, heads: heads, n: n, hs: hs, scale: scale)
        for h in 0..<heads { softmax(scores + h * ldo, n, limit: ldo) }
        decodeWeightedRows(out: out, p: scores, ldp: ldo, values: values, headStride: headStride, heads: heads, n: n, hs: hs)
    }

    /// Scores of one query against n cached keys, for each head h < heads:
    /// out[h·ldo + j] = scale · Σ_c q[h·hs + c]·K_h[c, j], j < n (c ascending from 0, each step `A.addProduct`), with
    /// K_h = keys + h·headStride in the blocked layout. Columns from n up to the next multiple of 8 are
    /// written too (from whatever finite values the cache holds there); ldo ≥ that multiple.
    static func decodeScores(out: FloatPointer, ldo: Int, q: ConstFloatPointer, keys: ConstFloatPointer,
                                    headStride: Int, heads: Int, n: Int, hs: Int, scale: Float) {
        let blocks = (n + 7) / 8, bs = 8 * hs
        var h = 0
        while h + 4 <= heads {
            let q0 = q + h * hs, q1 = q0 + hs, q2 = q1 + hs, q3 = q2 + hs
            let k0 = keys + h * headStride, k1 = k0 + headStride, k2 = k1 + headStride, k3 = k2 + headStride
            let o0 = out + h * ldo, o1 = o0 + ldo, o2 = o1 + ldo, o3 = o2 + ldo
            var b = 0
            while b + 2 <= blocks { // 4 heads × 2 blocks: 8 independent sums
                let ka = b * bs, kb = ka + bs
                var s00 = SIMD8<Float>(), s01 = SIMD8<Float>(), s10 = SIMD8<Float>(), s11 = SIMD8<Float>()
                var s20 = SIMD8<Float>(), s21 = SIMD8<Float>(), s30 = SIMD8<Float>(), s31 = SIMD8<Float>()
                for c in 0..<hs {
                    let x0 = SIMD8(repeating: q0[c]), x1 = SIMD8(repeating: q1[c])
                    let x2 = SIMD8(repeating: q2[c]), x3 = SIMD8(repeating: q3[c])
                    let kc = c * 8
                    A.addProduct(&s00, x0, load(k0 + ka + kc)); A.addProduct(&s01, x0, load(k0 + kb + kc))
                    A.addProduct(&s10, x1, load(k1 + ka + kc)); A.addProduct(&s11, x1, load(k1 + kb + kc))
                    A.addProduct(&s20, x2, load(k2 + ka + kc)); A.addProduct(&s21, x2, load(k2 + kb + kc))
                    A.addProduct(&s30, x3, load(k3 + ka + kc)); A.addProduct(&s31, x3, load(k3 + kb + kc))
                }
                let j = b * 8
                store(s00 * scale, o0 + j); store(s01 * scale, o0 + j + 8)
                store(s10 * scale, o1 + j); store(s11 * scale, o1 + j + 8)
                store(s20 * scale, o2 + j); store(s21 * scale, o2 + j + 8)
                store(s30 * scale, o3 + j); store(s31 * scale, o3 + j + 8)
                b += 2
            }
            if b < blocks {
                let ka = b * bs
                var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
                for c in 0..<hs {
                    let kc = ka + c * 8
                    A.addProduct(&s0, q0[c], load(k0 + kc)); A.addProduct(&s1, q1[c], load(k1 + kc))
                    A.addProduct(&s2, q2[c], load(k2 + kc)); A.addProduct(&s3, q3[c], load(k3 + kc))
                }
                let j = b * 8
                store(s0 * scale, o0 + j); store(s1 * scale, o1 + j); store(s2 * scale, o2 + j); store(s3 * scale, o3 + j)
            }
            h += 4
        }
        while h < heads { // the remaining heads one at a time, up to 4 blocks side by side
            let qh = q + h * hs, kh = keys + h * headStride, oh = out + h * ldo
            var b = 0
            while b < blocks {
                let m = min(4, blocks - b), k = kh + b * bs
                var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
                for c in 0..<hs {
                    let x = SIMD8(repeating: qh[c]), kc = k + c * 8
                    A.addProduct(&s0, x, load(kc))
                    if m > 1 { A.addProduct(&s1, x, load(kc + bs)) }
                    if m > 2 { A.addProduct(&s2, x, load(kc + 2 * bs)) }
                    if m > 3 { A.addProduct(&s3, x, load(kc + 3 * bs)) }
                }
                let j = b * 8
                store(s0 * scale, oh + j)
                if m > 1 { store(s1 * scale, oh + j + 8) }
                if m > 2 { store(s2 * scale, oh + j + 16) }
                if m > 3 { store(s3 * scale, oh + j + 24) }
                b += m
            }
            h += 1
        }
    }

    /// Weighted rows of one query for each head h < heads: out[h·hs + c] = Σ_{j < n} p[h·ldp + j]·V_h[j, c]
    /// for c < hs (j ascending from 0, each step `A.addProduct`), with V_h = values + h·headStride position-major (j·hs + c).
    static func decodeWeightedRows(out: FloatPointer, p: ConstFloatPointer, ldp: Int, values: ConstFloatPointer,
                                          headStride: Int, heads: Int, n: Int, hs: Int) {
        var h = 0
        while h + 4 <= heads {
            let p0 = p + h * ldp, p1 = p0 + ldp, p2 = p1 + ldp, p3 = p2 + ldp
            let v0 = values + h * headStride, v1 = v0 + headStride, v2 = v1 + headStride, v3 = v2 + headStride
            let o0 = out + h * hs, o1 = o0 + hs, o2 = o1 + hs, o3 = o2 + hs
            var c = 0
            while c + 16 <= hs { // 4 heads × 16 channels: 8 independent sums
                var a0 = SIMD8<Float>(), b0 = SIMD8<Float>(), a1 = SIMD8<Float>(), b1 = SIMD8<Float>()
                var a2 = SIMD8<Float>(), b2 = SIMD8<Float>(), a3 = SIMD8<Float>(), b3 = SIMD8<Float>()
                for j in 0..<n {
                    let x = j * hs + c
                    let w0 = SIMD8(repeating: p0[j]), w1 = SIMD8(repeating: p1[j])
                    let w2 = SIMD8(repeating: p2[j]), w3 = SIMD8(repeating: p3[j])
                    A.addProduct(&a0, w0, load(v0 + x)); A.addProduct(&b0, w0, load(v0 + x + 8))
                    A.addProduct(&a1, w1, load(v1 + x)); A.addProduct(&b1, w1, load(v1 + x + 8))
                    A.addProduct(&a2, w2, load(v2 + x)); A.addProduct(&b2, w2, load(v2 + x + 8))
                    A.addProduct(&a3, w3, load(v3 + x)); A.addProduct(&b3, w3, load(v3 + x + 8))
                }
                store(a0, o0 + c); store(b0, o0 + c + 8); store(a1, o1 + c); store(b1, o1 + c + 8)
                store(a2, o2 + c); store(b2, o2 + c + 8); store(a3, o3 + c); store(b3, o3 + c + 8)
                c += 16
            }
            if c + 8 <= hs {
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                for j in 0..<n {
                    let x = j * hs + c
                    A.addProduct(&a0, p0[j], load(v0 + x)); A.addProduct(&a1, p1[j], load(v1 + x))
                    A.addProduct(&a2, p2[j], load(v2 + x)); A.addProduct(&a3, p3[j], load(v3 + x))
                }
                store(a0, o0 + c); store(a1, o1 + c); store(a2, o2 + c); store(a3, o3 + c)
                c += 8
            }
            if c < hs {
                for r in 0..<4 {
                    weightedRowScalar(out: out + (h + r) * hs, p: p + (h + r) * ldp, n: n, x: values + (h + r) * headStride,
                                      ldx: hs, from: c, to: hs, accumulate: false)
                }
            }
            h += 4
        }
        while h < heads {
            weightedRow(out: out + h * hs, p: p + h * ldp, n: n, x: values + h * headStride, ldx: hs, hs: hs, accumulate: false)
            h += 1
        }
    }
}
