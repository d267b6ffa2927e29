/// Register-blocked SIMD building blocks of causal attention for one (sequence, head), shared by the
/// training kernel (`Attention`) and the KV-cache decoder, so that both compute every score and every
/// output element with the same operations in the same order.
///
/// Arithmetic contract (what makes the two paths and the native/portable builds agree bitwise): each
/// output element is a sum of products accumulated in ascending order of the summed index, starting
/// from 0, each step acc ← acc + a·b as the kernel generation forms it (`ProductSum`: a rounded product
/// then a rounded sum in generation 1, one exactly rounded fused multiply-add in generation 2); a vector
/// lane does exactly what the scalar tail does. The arithmetic tiles are `Tiles<A>`, specialised per
/// generation; `AttentionTiles` holds the data movement and the entry points that choose the generation.
/// Matrices are row-major with explicit row strides (ld*).
public enum AttentionTiles {
    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }
    @inline(__always) static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// dst (hs, n) with row stride ldd = srcᵀ for src (n, hs) with row stride lds; 8×8 blocks are
    /// transposed in registers (a scalar copy misses L1 on the strided side).
    public static func transpose(dst: FloatPointer, ldd: Int, src: ConstFloatPointer, lds: Int, n: Int, hs: Int) {
        var j = 0
        while j + 8 <= n {
            var c = 0
            while c + 8 <= hs {
                let s = src + j * lds + c
                var r = (load(s), load(s + lds), load(s + 2 * lds), load(s + 3 * lds),
                         load(s + 4 * lds), load(s + 5 * lds), load(s + 6 * lds), load(s + 7 * lds))
                // Three perfect unshuffles of the 64 elements rotate each 6-bit index (row, col) by 3 bits.
                for _ in 0..<3 {
                    r = (SIMD8(lowHalf: r.0.evenHalf, highHalf: r.1.evenHalf), SIMD8(lowHalf: r.2.evenHalf, highHalf: r.3.evenHalf),
                         SIMD8(lowHalf: r.4.evenHalf, highHalf: r.5.evenHalf), SIMD8(lowHalf: r.6.evenHalf, highHalf: r.7.evenHalf),
                         SIMD8(lowHalf: r.0.oddHalf, highHalf: r.1.oddHalf), SIMD8(lowHalf: r.2.oddHalf, highHalf: r.3.oddHalf),
                         SIMD8(lowHalf: r.4.oddHalf, highHalf: r.5.oddHalf), SIMD8(lowHalf: r.6.oddHalf, highHalf: r.7.oddHalf))
                }
                let d = dst + c * ldd + j
                store(r.0, d); store(r.1, d + ldd); store(r.2, d + 2 * ldd); store(r.3, d + 3 * ldd)
                store(r.4, d + 4 * ldd); store(r.5, d + 5 * ldd); store(r.6, d + 6 * ldd); store(r.7, d + 7 * ldd)
                c += 8
            }
            for cc in c..<hs { for jj in j..<(j + 8) { dst[cc * ldd + jj] = src[jj * lds + cc] } }
            j += 8
        }
        for jj in j..<n { for c in 0..<hs { dst[c * ldd + jj] = src[jj * lds + c] } }
    }

    /// dst (n, hs) contiguous = src (n, hs) with row stride lds.
    @inline(__always)
    public static func pack(dst: FloatPointer, src: ConstFloatPointer, lds: Int, n: Int, hs: Int) {
        for j in 0..<n {
            let d = dst + j * hs, s = src + j * lds
            var c = 0
            while c + 8 <= hs { store(load(s + c), d + c); c += 8 }
            while c < hs { d[c] = s[c]; c += 1 }
        }
    }
}

/// The arithmetic tiles of one kernel generation (A: how c + a·b is formed).
enum Tiles<A: ProductSum> {
    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { AttentionTiles.load(p) }
    @inline(__always) static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { AttentionTiles.store(v, p) }

    /// Causal scores: out[i, j] = scale · Σ_c a[i, c]·bt[c, j] for rows i in [r0, r1) and j ≤ i.
    /// a (·, hs) stride lda; bt (hs, cols) stride ldb (the transposed keys); out stride ldo. Entries
    /// above the diagonal (j > i) may be written too, up to 15 columns past it (callers overwrite or
    /// ignore them); nothing at or beyond column `cols` is read or written.
    static func causalScores(out: FloatPointer, ldo: Int, a: ConstFloatPointer, lda: Int,
                                    bt: ConstFloatPointer, ldb: Int, r0: Int, r1: Int, cols: Int, hs: Int, scale: Float) {
        var i0 = r0
        while i0 + 4 <= r1 {
            let n = i0 + 4 // columns [0, n) cover the block's triangle
            let a0 = a + i0 * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
            let o0 = out + i0 * ldo, o1 = o0 + ldo, o2 = o1 + ldo, o3 = o2 + ldo
            var j = 0
            while j + 8 < n && j + 16 <= cols {
                var s00 = SIMD8<Float>(), s01 = SIMD8<Float>(), s10 = SIMD8<Float>(), s11 = SIMD8<Float>()
                var s20 = SIMD8<Float>(), s21 = SIMD8<Float>(), s30 = SIMD8<Float>(), s31 = SIMD8<Float>()
                for c in 0..<hs {
                    let k0 = load(bt + c * ldb + j), k1 = load(bt + c * ldb + j + 8)
                    let q0 = SIMD8(repeating: a0[c]), q1 = SIMD8(repeating: a1[c])
                    let q2 = SIMD8(repeating: a2[c]), q3 = SIMD8(repeating: a3[c])
                    A.addProduct(&s00, q0, k0); A.addProduct(&s01, q0, k1); A.addProduct(&s10, q1, k0); A.addProduct(&s11, q1, k1)
                    A.addProduct(&s20, q2, k0); A.addProduct(&s21, q2, k1); A.addProduct(&s30, q3, k0); A.addProduct(&s31, q3, k1)
                }
                store(s00 * scale, o0 + j); store(s01 * scale, o0 + j + 8)
                store(s10 * scale, o1 + j); store(s11 * scale, o1 + j + 8)
                store(s20 * scale, o2 + j); store(s21 * scale, o2 + j + 8)
                store(s30 * scale, o3 + j); store(s31 * scale, o3 + j + 8)
                j += 16
            }
            while j < n && j + 8 <= cols {
                var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
                for c in 0..<hs {
                    let k = load(bt + c * ldb + j)
                    A.addProduct(&s0, a0[c], k); A.addProduct(&s1, a1[c], k)
                    A.addProduct(&s2, a2[c], k); A.addProduct(&s3, a3[c], k)
                }
                store(s0 * scale, o0 + j); store(s1 * scale, o1 + j); store(s2 * scale, o2 + j); store(s3 * scale, o3 + j)
                j += 8
            }
            if j < n {
                for r in 0..<4 {
                    let ar = a + (i0 + r) * lda, or = out + (i0 + r) * ldo
                    for jj in j..<n { or[jj] = scoreScalar(ar, bt + jj, ldb: ldb, hs: hs) * scale }
                }
            }
            i0 += 4
        }
        for i in i0..<r1 {
            scoreRow(out: out + i * ldo, q: a + i * lda, bt: bt, ldb: ldb, n: i + 1, cols: cols, hs: hs, scale: scale)
        }
    }

    /// One query against n transposed keys: out[j] = scale · Σ_c q[c]·bt[c, j], j < n (the decoder's
    /// and the row tail's path; lanes and tail as in `causalScores`). Columns in [n, cols) may be
    /// written too (up to 31 past n; bt must be readable there).
    static func scoreRow(out: FloatPointer, q: ConstFloatPointer, bt: ConstFloatPointer, ldb: Int,
                                n: Int, cols: Int, hs: Int, scale: Float) {
        var j = 0
        while j + 24 < n && j + 32 <= cols {
            var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
            for c in 0..<hs {
                let k = bt + c * ldb + j, qc = SIMD8(repeating: q[c])
                A.addProduct(&s0, qc, load(k)); A.addProduct(&s1, qc, load(k + 8)); A.addProduct(&s2, qc, load(k + 16)); A.addProduct(&s3, qc, load(k + 24))
            }
            store(s0 * scale, out + j); store(s1 * scale, out + j + 8)
            store(s2 * scale, out + j + 16); store(s3 * scale, out + j + 24)
            j += 32
        }
        while j < n && j + 8 <= cols {
            var s = SIMD8<Float>()
            for c in 0..<hs { A.addProduct(&s, q[c], load(bt + c * ldb + j)) }
            store(s * scale, out + j)
            j += 8
        }
        while j < n { out[j] = scoreScalar(q, bt + j, ldb: ldb, hs: hs) * scale; j += 1 }
    }

    @inline(__always) static func scoreScalar(_ q: ConstFloatPointer, _ btj: ConstFloatPointer, ldb: Int, hs: Int) -> Float {
        var s: Float = 0
        for c in 0..<hs { A.addProduct(&s, q[c], btj[c * ldb]) }
        return s
    }

    /// In place over row[0..<n]: softmax (max-subtracted, FastMath.exp, scaled by 1/Σ). Entries in
    /// [n, limit) up to the next multiple of 8 may be overwritten (vector lanes instead of scalar
    /// remainder iterations); callers zero or ignore them.
    @inline(__always)
    static func softmax(_ row: FloatPointer, _ n: Int, limit: Int) {
        let m = FastMath.max(row, n)
        let mv = SIMD8(repeating: m)
        var j = 0
        while j < n && j + 8 <= limit { store(FastMath.exp8(load(row + j) - mv, A.self), row + j); j += 8 }
        while j < n { row[j] = FastMath.exp(row[j] - m, A.self); j += 1 }
        let inv = 1 / FastMath.sum(row, n)
        j = 0
        while j < n && j + 8 <= limit { store(load(row + j) * inv, row + j); j += 8 }
        while j < n { row[j] *= inv; j += 1 }
    }
}
