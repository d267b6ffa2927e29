import TensorCore

/// One growable Float allocation; reallocated only when a larger size is asked for.
final class ActivationBuffer {
    private(set) var base: FloatPointer
    private(set) var capacity: Int

    init() {
        capacity = 1
        base = LargeBuffer.allocate(1)
    }

    deinit { LargeBuffer.deallocate(base) }

    /// Makes room for `count` Floats (contents are not kept when growing).
    func ensure(_ count: Int) {
        guard count > capacity else { return }
        LargeBuffer.deallocate(base)
        base = LargeBuffer.allocate(count)
        capacity = count
    }
}

/// Offsets (in Floats) of every activation of one (B, T) forward/backward, N = B·T.
struct ActivationLayout {
    struct Layer {
        var ln1 = 0, ln1Mean = 0, ln1Rstd = 0, qkv = 0, att = 0, atty = 0, res2 = 0
        /// fch: fc's output, overwritten by the GELU forward with gelu's slope there (what the backward needs)
        /// unless the forward was told no backward follows.
        var ln2 = 0, ln2Mean = 0, ln2Rstd = 0, fch = 0, fchGelu = 0, res3 = 0
        /// u = x·Aᵀ (N, r) of each adapter (LoRATarget order), -1 when absent.
        var u = [-1, -1, -1, -1]
    }
    var encoded = 0
    var layers: [Layer] = []
    var lnf = 0, lnfMean = 0, lnfRstd = 0, logits = 0, probs = 0
    // backward scratch (shared across layers)
    var dres = 0, dln = 0, dqkv = 0, datty = 0, dfchGelu = 0, dlogits = 0, attScratch = 0, du = 0
    var total = 0
    private let C: Int, V: Int, heads: Int, rank: Int, T: Int

    init(config c: GPTConfig, loraSlots: [[LoRASlot?]], rank: Int, B: Int, T: Int) {
        let N = B * T, C = c.channels, V = c.vocabSize
        (self.C, self.V, heads, self.rank, self.T) = (C, V, c.heads, rank, T)
        var cursor = 0
        func take(_ n: Int) -> Int { let o = cursor; cursor += n; return o }
        encoded = take(N * C)
        for l in 0..<c.layers {
            var L = Layer()
            L.ln1 = take(N * C); L.ln1Mean = take(N); L.ln1Rstd = take(N)
            L.qkv = take(N * 3 * C); L.att = take(B * c.heads * T * T); L.atty = take(N * C); L.res2 = take(N * C)
            L.ln2 = take(N * C); L.ln2Mean = take(N); L.ln2Rstd = take(N)
            L.fch = take(N * 4 * C); L.fchGelu = take(N * 4 * C); L.res3 = take(N * C)
            for t in 0..<4 where loraSlots[l][t] != nil { L.u[t] = take(N * rank) }
            layers.append(L)
        }
        lnf = take(N * C); lnfMean = take(N); lnfRstd = take(N)
        logits = take(N * V); probs = take(N * V)
        dres = take(N * C); dln = take(N * C); dqkv = take(N * 3 * C); datty = take(N * C)
        dfchGelu = take(N * 4 * C); dlogits = take(N * V)
        attScratch = take(T * T); du = take(N * max(rank, 1))
        total = cursor
    }
}

extension ActivationLayout {
    /// The same layout seen from sequence b0 on (row r0 = b0·T): every saved activation starts at that
    /// sequence's first row, so a chunk of sequences runs the whole-batch code on its own rows. The
    /// backward scratch is not shifted: every chunk reuses its first rows, which stay in cache.
    func chunk(fromSequence b0: Int) -> ActivationLayout {
        let r0 = b0 * T
        var c = self
        c.encoded += r0 * C
        c.layers = layers.map { L in
            var L = L
            L.ln1 += r0 * C; L.ln1Mean += r0; L.ln1Rstd += r0
            L.qkv += r0 * 3 * C; L.att += b0 * heads * T * T; L.atty += r0 * C; L.res2 += r0 * C
            L.ln2 += r0 * C; L.ln2Mean += r0; L.ln2Rstd += r0
            L.fch += r0 * 4 * C; L.fchGelu += r0 * 4 * C; L.res3 += r0 * C
            L.u = L.u.map { $0 >= 0 ? $0 + r0 * rank : $0 }
            return L
        }
        c.lnf += r0 * C; c.lnfMean += r0; c.lnfRstd += r0
        c.logits += r0 * V; c.probs += r0 * V
        return c
    }
}
