/// Causal multi-head self-attention on a fused QKV buffer: scores = Q·Kᵀ/√hs, causal softmax,
/// out = P·V, one (sequence, head) at a time on strided views. Only the causal lower triangle is
/// computed, with the register-blocked SIMD tiles of `AttentionTiles` (the KV-cache decoder uses the
/// same tiles, so its scores and outputs equal the full forward's bit for bit). Every element is a sum
/// in ascending index order, each step formed as the kernel generation forms it (`KernelGeneration`),
/// so native and portable builds agree bitwise.
public enum Attention {
    /// out (B,T,C); att (B,NH,T,T) saved softmax probabilities (zero above the diagonal);
    /// qkv (B,T,3C) with Q at [0,C), K at [C,2C), V at [2C,3C), head h at offset h·hs.
    public static func forward(out: FloatPointer, att: FloatPointer, qkv: ConstFloatPointer,
                               B: Int, T: Int, C: Int, NH: Int, kernels: KernelGeneration = .current) {
        switch kernels.arithmetic {
        case .separate: forward(out: out, att: att, qkv: qkv, B: B, T: T, C: C, NH: NH, Tiles<SeparateProducts>.self)
        case .fused: forward(out: out, att: att, qkv: qkv, B: B, T: T, C: C, NH: NH, Tiles<FusedProducts>.self)
        }
    }

    static func forward<A>(out: FloatPointer, att: FloatPointer, qkv: ConstFloatPointer,
                           B: Int, T: Int, C: Int, NH: Int, _ tiles: Tiles<A>.Type) {
        let hs = C / NH
        let scale = 1 / Float(hs).squareRoot()
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * hs * T) { buf in
            // Kᵀ (hs, T) of the current head (scores vectorise over keys) and V packed (T, hs): rows
            // 3C apart map to few L1 sets (power-of-two strides) and would miss on every pass.
            let kt = buf.baseAddress!, vp = kt + hs * T
            for b in 0..<B {
                for h in 0..<NH {
                    let q = qkv + b * T * 3 * C + h * hs
                    let k = q + C, v = q + 2 * C
                    let p = att + (b * NH + h) * T * T
                    AttentionTiles.transpose(dst: kt, ldd: T, src: k, lds: 3 * C, n: T, hs: hs)
                    tiles.causalScores(out: p, ldo: T, a: q, lda: 3 * C, bt: kt, ldb: T, r0: 0, r1: T,
                                                cols: T, hs: hs, scale: scale)
                    for i in 0..<T {
                        tiles.softmax(p + i * T, i + 1, limit: T)
                        (p + i * T + i + 1).update(repeating: 0, count: T - i - 1)
                    }
                    AttentionTiles.pack(dst: vp, src: v, lds: 3 * C, n: T, hs: hs)
                    tiles.causalWeightedSum(out: out + b * T * C + h * hs, ldo: C, p: p, ldp: T, x: vp, ldx: hs,
                                                     r0: 0, r1: T, hs: hs, accumulate: false)
                }
            }
        }
    }

    /// dqkv (B,T,3C) written (not accumulated); scratch (T,T) workspace; dout (B,T,C); qkv (B,T,3C);
    /// att (B,NH,T,T) from forward.
    /// dP = dout·Vᵀ;  dV = Pᵀ·dout;  dS = P ⊙ (dP − rowsum(P ⊙ dP)) / √hs;  dQ = dS·K;  dK = dSᵀ·Q
    /// (lower triangles only). Every element of dqkv is one such sum, so the caller need not zero it;
    /// writing gives the bits that adding into a zero-filled buffer gave (a sum started at +0 that only
    /// adds products is never −0, and 0 + a = a for every other a), without reading dqkv back from memory.
    public static func backward(dqkv: FloatPointer, scratch: FloatPointer, dout: ConstFloatPointer,
                                qkv: ConstFloatPointer, att: ConstFloatPointer,
                                B: Int, T: Int, C: Int, NH: Int, kernels: KernelGeneration = .current) {
        switch kernels.arithmetic {
        case .separate: backward(dqkv: dqkv, scratch: scratch, dout: dout, qkv: qkv, att: att, B: B, T: T, C: C, NH: NH,
                           Tiles<SeparateProducts>.self)
        case .fused: backward(dqkv: dqkv, scratch: scratch, dout: dout, qkv: qkv, att: att, B: B, T: T, C: C, NH: NH,
                           Tiles<FusedProducts>.self)
        }
    }

    static func backward<A>(dqkv: FloatPointer, scratch: FloatPointer, dout: ConstFloatPointer,
                            qkv: ConstFloatPointer, att: ConstFloatPointer,
                            B: Int, T: Int, C: Int, NH: Int, _ tiles: Tiles<A>.Type) {
        let hs = C / NH
        let scale = 1 / Float(hs).squareRoot()
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 * hs * T) { buf in
            // Vᵀ (hs, T) of the current head, and K, Q, dout packed (T, hs) (see forward)
            let vt = buf.baseAddress!, kp = vt + hs * T, qp = kp + hs * T, dp = qp + hs * T
            for b in 0..<B {
                for h in 0..<NH {
                    let offset = b * T * 3 * C + h * hs
                    let q = qkv + offset, k = q + C, v = q + 2 * C
                    let dq = dqkv + offset, dk = dq + C, dv = dq + 2 * C
                    let p = att + (b * NH + h) * T * T
                    let d = dout + b * T * C + h * hs
                    AttentionTiles.transpose(dst: vt, ldd: T, src: v, lds: 3 * C, n: T, hs: hs)
                    tiles.causalScores(out: scratch, ldo: T, a: d, lda: C, bt: vt, ldb: T, r0: 0, r1: T,
                                                cols: T, hs: hs, scale: 1)
                    for i in 0..<T {
                        let pr = p + i * T, dr = scratch + i * T
                        let n = i + 1
                        let dot = FastMath.dot(pr, dr, n)
                        var j = 0
                        while j + 8 <= n {
                            FastMath.store8(FastMath.load8(pr + j) * (FastMath.load8(dr + j) - dot) * scale, dr + j)
                            j += 8
                        }
                        while j < n { dr[j] = pr[j] * (dr[j] - dot) * scale; j += 1 }
                    }
                    AttentionTiles.pack(dst: dp, src: d, lds: C, n: T, hs: hs)
                    AttentionTiles.pack(dst: kp, src: k, lds: 3 * C, n: T, hs: hs)
                    AttentionTiles.pack(dst: qp, src: q, lds: 3 * C, n: T, hs: hs)
                    tiles.causalTransposedWeightedSum(out: dv, ldo: 3 * C, s: p, lds: T, x: dp, ldx: hs, T: T, hs: hs,
                                                               accumulate: false)
                    tiles.causalWeightedSum(out: dq, ldo: 3 * C, p: scratch, ldp: T, x: kp, ldx: hs,
                                                     r0: 0, r1: T, hs: hs, accumulate: false)
                    tiles.causalTransposedWeightedSum(out: dk, ldo: 3 * C, s: scratch, lds: T, x: qp, ldx: hs,
                                                               T: T, hs: hs, accumulate: false)
                }
            }
        }
    }
}
