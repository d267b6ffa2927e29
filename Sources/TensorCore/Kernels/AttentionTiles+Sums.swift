extension Tiles {
    /// Causal weighted rows: out[i, c] (=, or += when `accumulate`) Σ_{j ≤ i} p[i, j]·x[j, c] for rows
    /// i in [r0, r1), c < hs. p stride ldp (read only at j ≤ i), x stride ldx, out stride ldo.
    /// Attention output P·V (forward) and dQ += dS·K (backward).
    static func causalWeightedSum(out: FloatPointer, ldo: Int, p: ConstFloatPointer, ldp: Int,
                                         x: ConstFloatPointer, ldx: Int, r0: Int, r1: Int, hs: Int, accumulate: Bool) {
        var i0 = r0
        while i0 + 4 <= r1 {
            let p0 = p + i0 * ldp, p1 = p0 + ldp, p2 = p1 + ldp, p3 = p2 + ldp
            let o0 = out + i0 * ldo, o1 = o0 + ldo, o2 = o1 + ldo, o3 = o2 + ldo
            var c = 0
            while c + 16 <= hs {
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                var b0 = SIMD8<Float>(), b1 = SIMD8<Float>(), b2 = SIMD8<Float>(), b3 = SIMD8<Float>()
                for j in 0...i0 {
                    let v = load(x + j * ldx + c), u = load(x + j * ldx + c + 8)
                    let w0 = SIMD8(repeating: p0[j]), w1 = SIMD8(repeating: p1[j])
                    let w2 = SIMD8(repeating: p2[j]), w3 = SIMD8(repeating: p3[j])
                    A.addProduct(&a0, w0, v); A.addProduct(&b0, w0, u); A.addProduct(&a1, w1, v); A.addProduct(&b1, w1, u)
                    A.addProduct(&a2, w2, v); A.addProduct(&b2, w2, u); A.addProduct(&a3, w3, v); A.addProduct(&b3, w3, u)
                }
                for t in 1..<4 { // the block's triangle: row r also takes j = i0 + 1 ... i0 + r
                    let j = i0 + t, v = load(x + j * ldx + c), u = load(x + j * ldx + c + 8)
                    if t <= 1 { let w = SIMD8(repeating: p1[j]); A.addProduct(&a1, w, v); A.addProduct(&b1, w, u) }
                    if t <= 2 { let w = SIMD8(repeating: p2[j]); A.addProduct(&a2, w, v); A.addProduct(&b2, w, u) }
                    let w = SIMD8(repeating: p3[j]); A.addProduct(&a3, w, v); A.addProduct(&b3, w, u)
                }
                if accumulate {
                    a0 = load(o0 + c) + a0; b0 = load(o0 + c + 8) + b0; a1 = load(o1 + c) + a1; b1 = load(o1 + c + 8) + b1
                    a2 = load(o2 + c) + a2; b2 = load(o2 + c + 8) + b2; a3 = load(o3 + c) + a3; b3 = load(o3 + c + 8) + b3
                }
                store(a0, o0 + c); store(b0, o0 + c + 8); store(a1, o1 + c); store(b1, o1 + c + 8)
                store(a2, o2 + c); store(b2, o2 + c + 8); store(a3, o3 + c); store(b3, o3 + c + 8)
                c += 16
            }
            while c + 8 <= hs {
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                for j in 0...i0 {
                    let v = load(x + j * ldx + c)
                    A.addProduct(&a0, p0[j], v); A.addProduct(&a1, p1[j], v)
                    A.addProduct(&a2, p2[j], v); A.addProduct(&a3, p3[j], v)
                }
                // The block's triangle: row r also takes j = i0 + 1 ... i0 + r.
                var v = load(x + (i0 + 1) * ldx + c)
                A.addProduct(&a1, p1[i0 + 1], v); A.addProduct(&a2, p2[i0 + 1], v); A.addProduct(&a3, p3[i0 + 1], v)
                v = load(x + (i0 + 2) * ldx + c)
                A.addProduct(&a2, p2[i0 + 2], v); A.addProduct(&a3, p3[i0 + 2], v)
                v = load(x + (i0 + 3) * ldx + c)
                A.addProduct(&a3, p3[i0 + 3], v)
                if accumulate {
                    store(load(o0 + c) + a0, o0 + c); store(load(o1 + c) + a1, o1 + c)
                    store(load(o2 + c) + a2, o2 + c); store(load(o3 + c) + a3, o3 + c)
                } else {
                    store(a0, o0 + c); store(a1, o1 + c); store(a2, o2 + c); store(a3, o3 + c)
                }
                c += 8
            }
            if c < hs {
                for r in 0..<4 {
                    weightedRowScalar(out: out + (i0 + r) * ldo, p: p + (i0 + r) * ldp, n: i0 + r + 1, x: x, ldx: ldx,
                                      from: c, to: hs, accumulate: accumulate)
                }
            }
            i0 += 4
        }
        for i in i0..<r1 {
            weightedRow(out: out + i * ldo, p: p + i * ldp, n: i + 1, x: x, ldx: ldx, hs: hs, accumulate: accumulate)
        }
    }

    /// One row: out[c] (=, or +=) Σ_{j < n} p[j]·x[j, c] for c < hs (the decoder's P·V and the row tail).
    static func weightedRow(out: FloatPointer, p: ConstFloatPointer, n: Int, x: ConstFloatPointer, ldx: Int,
                                   hs: Int, accumulate: Bool) {
        var c = 0
        while c + 32 <= hs {
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            for j in 0..<n {
                let w = SIMD8(repeating: p[j]), v = x + j * ldx + c
                A.addProduct(&a0, w, load(v)); A.addProduct(&a1, w, load(v + 8)); A.addProduct(&a2, w, load(v + 16)); A.addProduct(&a3, w, load(v + 24))
            }
            if accumulate { a0 = load(out + c) + a0; a1 = load(out + c + 8) + a1; a2 = load(out + c + 16) + a2; a3 = load(out + c + 24) + a3 }
            store(a0, out + c); store(a1, out + c + 8); store(a2, out + c + 16); store(a3, out + c + 24)
            c += 32
        }
        while c + 8 <= hs {
            var a = SIMD8<Float>()
            for j in 0..<n { A.addProduct(&a, p[j], load(x + j * ldx + c)) }
            store(accumulate ? load(out + c) + a : a, out + c)
            c += 8
        }
        weightedRowScalar(out: out, p: p, n: n, x: x, ldx: ldx, from: c, to: hs, accumulate: accumulate)
    }

    @inline(__always)
    static func weightedRowScalar(out: FloatPointer, p: ConstFloatPointer, n: Int, x: ConstFloatPointer, ldx: Int,
                                  from c0: Int, to c1: Int, accumulate: Bool) {
        for c in c0..<c1 {
            var a: Float = 0
            for j in 0..<n { A.addProduct(&a, p[j], x[j * ldx + c]) }
            out[c] = accumulate ? out[c] + a : a
        }
    }

    /// Causal transposed weighted rows: out[j, c] (=, or += when `accumulate`) Σ_{i = j}^{T−1} s[i, j]·x[i, c]
    /// for j < T, c < hs (sum in ascending i). s stride lds (read only at i ≥ j), x stride ldx, out stride ldo.
    /// dK = dSᵀ·Q and dV = Pᵀ·dO (backward).
    static func causalTransposedWeightedSum(out: FloatPointer, ldo: Int, s: ConstFloatPointer, lds: Int,
                                                   x: ConstFloatPointer, ldx: Int, T: Int, hs: Int, accumulate: Bool) {
        var j0 = 0
        while j0 + 4 <= T {
            let o0 = out + j0 * ldo, o1 = o0 + ldo, o2 = o1 + ldo, o3 = o2 + ldo
            var c = 0
            while c + 16 <= hs {
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                var b0 = SIMD8<Float>(), b1 = SIMD8<Float>(), b2 = SIMD8<Float>(), b3 = SIMD8<Float>()
                for t in 0..<3 { // the block's triangle first (ascending i): row i = j0 + t feeds columns j0 ... j0 + t
                    let i = j0 + t, sr = s + i * lds + j0, v = load(x + i * ldx + c), u = load(x + i * ldx + c + 8)
                    var w = SIMD8(repeating: sr[0]); A.addProduct(&a0, w, v); A.addProduct(&b0, w, u)
                    if t >= 1 { w = SIMD8(repeating: sr[1]); A.addProduct(&a1, w, v); A.addProduct(&b1, w, u) }
                    if t >= 2 { w = SIMD8(repeating: sr[2]); A.addProduct(&a2, w, v); A.addProduct(&b2, w, u) }
                }
                for i in (j0 + 3)..<T {
                    let sr = s + i * lds + j0, v = load(x + i * ldx + c), u = load(x + i * ldx + c + 8)
                    let w0 = SIMD8(repeating: sr[0]), w1 = SIMD8(repeating: sr[1])
                    let w2 = SIMD8(repeating: sr[2]), w3 = SIMD8(repeating: sr[3])
                    A.addProduct(&a0, w0, v); A.addProduct(&b0, w0, u); A.addProduct(&a1, w1, v); A.addProduct(&b1, w1, u)
                    A.addProduct(&a2, w2, v); A.addProduct(&b2, w2, u); A.addProduct(&a3, w3, v); A.addProduct(&b3, w3, u)
                }
                if accumulate {
                    a0 = load(o0 + c) + a0; b0 = load(o0 + c + 8) + b0; a1 = load(o1 + c) + a1; b1 = load(o1 + c + 8) + b1
                    a2 = load(o2 + c) + a2; b2 = load(o2 + c + 8) + b2; a3 = load(o3 + c) + a3; b3 = load(o3 + c + 8) + b3
                }
                store(a0, o0 + c); store(b0, o0 + c + 8); store(a1, o1 + c); store(b1, o1 + c + 8)
                store(a2, o2 + c); store(b2, o2 + c + 8); store(a3, o3 + c); store(b3, o3 + c + 8)
                c += 16
            }
            while c + 8 <= hs {
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                // The block's triangle first (ascending i): row i = j0 + t feeds columns j0 ... j0 + t.
                var si = s + j0 * lds + j0, v = load(x + j0 * ldx + c)
                A.addProduct(&a0, si[0], v)
                si += lds; v = load(x + (j0 + 1) * ldx + c)
                A.addProduct(&a0, si[0], v); A.addProduct(&a1, si[1], v)
                si += lds; v = load(x + (j0 + 2) * ldx + c)
                A.addProduct(&a0, si[0], v); A.addProduct(&a1, si[1], v); A.addProduct(&a2, si[2], v)
                for i in (j0 + 3)..<T {
                    let sr = s + i * lds + j0, xv = load(x + i * ldx + c)
                    A.addProduct(&a0, sr[0], xv); A.addProduct(&a1, sr[1], xv)
                    A.addProduct(&a2, sr[2], xv); A.addProduct(&a3, sr[3], xv)
                }
                if accumulate {
                    store(load(o0 + c) + a0, o0 + c); store(load(o1 + c) + a1, o1 + c)
                    store(load(o2 + c) + a2, o2 + c); store(load(o3 + c) + a3, o3 + c)
                } else {
                    store(a0, o0 + c); store(a1, o1 + c); store(a2, o2 + c); store(a3, o3 + c)
                }
                c += 8
            }
            if c < hs {
                for r in 0..<4 {
                    transposedColumnScalar(out: out, ldo: ldo, s: s, lds: lds, x: x, ldx: ldx, j: j0 + r, T: T,
                                           from: c, to: hs, accumulate: accumulate)
                }
            }
            j0 += 4
        }
        for j in j0..<T {
            var c = 0
            while c + 8 <= hs {
                var a = SIMD8<Float>()
                for i in j..<T { A.addProduct(&a, s[i * lds + j], load(x + i * ldx + c)) }
                store(accumulate ? load(out + j * ldo + c) + a : a, out + j * ldo + c)
                c += 8
            }
            transposedColumnScalar(out: out, ldo: ldo, s: s, lds: lds, x: x, ldx: ldx, j: j, T: T, from: c, to: hs,
                                   accumulate: accumulate)
        }
    }

    @inline(__always)
    static func transposedColumnScalar(out: FloatPointer, ldo: Int, s: ConstFloatPointer, lds: Int, x: ConstFloatPointer,
                                       ldx: Int, j: Int, T: Int, from c0: Int, to c1: Int, accumulate: Bool) {
        for c in c0..<c1 {
            var a: Float = 0
            for i in j..<T { A.addProduct(&a, s[i * lds + j], x[i * ldx + c]) }
            out[j * ldo + c] = accumulate ? out[j * ldo + c] + a : a
        }
    }
}
