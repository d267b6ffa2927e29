import Foundation
import TensorCore

/// Keys and values of every layer for S sequences of up to `capacity` positions. The heads of one
/// (layer, sequence) are contiguous, `headStride` floats apart, from heads(l, b) = (l·S + b)·NH·headStride.
/// Keys are stored in blocks of 8 positions, each block channel-major (`AttentionTiles.blockedKeyOffset`:
/// a query's scores vectorise over positions as in the training kernel, and writing a key touches half
/// the cache lines a fully transposed layout does); values position-major (p·hs + c).
final class KVCache {
    let keys: FloatPointer, values: FloatPointer
    let layers: Int, sequences: Int, capacity: Int, heads: Int, headSize: Int
    /// Floats per head: room for `capacity` positions rounded up to whole key blocks.
    let headStride: Int
    /// Floats in `keys` (and in `values`).
    let floats: Int

    init(layers: Int, sequences: Int, capacity: Int, heads: Int, headSize: Int) {
        self.layers = layers; self.sequences = sequences; self.capacity = capacity; self.heads = heads; self.headSize = headSize
        headStride = AttentionTiles.blockedKeyCount(positions: capacity, hs: headSize)
        floats = layers * sequences * heads * headStride
        keys = LargeBuffer.allocate(floats)
        values = LargeBuffer.allocate(floats)
        reset()
    }

    deinit { LargeBuffer.deallocate(keys); LargeBuffer.deallocate(values) }

    /// Whether this cache can serve a call of up to `sequences` sequences of up to `capacity` positions with
    /// these layer and head shapes (a larger cache only has more room, which no sum depends on).
    func fits(layers l: Int, sequences s: Int, capacity c: Int, heads h: Int, headSize hs: Int) -> Bool {
        l == layers && s <= sequences && c <= capacity && h == heads && hs == headSize
    }

    /// Every key zero: the state of a new cache, and of a reused one before another sampling call. Score
    /// tiles read the whole last key block (and discard the columns past the query): it must be finite.
    func reset() {
        keys.initialize(repeating: 0, count: max(floats, 1))
    }

    /// Offset of head 0 of (layer l, sequence b); head h is h·headStride further.
    @inline(__always) func heads(layer l: Int, sequence b: Int) -> Int {
        (l * sequences + b) * heads * headStride
    }
}

/// Buffers for running up to R rows (one token of one sequence each) through the model with a KV cache.
final class DecodeBuffers {
    let rows: Int
    let x, ln, qkv, atty, h, hg, logits, mean, rstd, u, scores: FloatPointer
    private let base: FloatPointer

    /// Row stride of `scores` (one row per head): the cache capacity in whole key blocks of 8.
    let scoreStride: Int

    init(rows R: Int, config c: GPTConfig, rank: Int, capacity: Int) {
        rows = R
        let C = c.channels
        scoreStride = Self.scoreStride(capacity: capacity)
        let sizes = [R * C, R * C, R * 3 * C, R * C, R * 4 * C, R * 4 * C, R * c.vocabSize, R, R, R * max(rank, 1),
                     c.heads * scoreStride]
        base = LargeBuffer.allocate(sizes.reduce(0, +))
        var ptrs: [FloatPointer] = []
        var cursor = 0
        for s in sizes { ptrs.append(base + cursor); cursor += s }
        (x, ln, qkv, atty, h, hg, logits, mean, rstd, u, scores) =
            (ptrs[0], ptrs[1], ptrs[2], ptrs[3], ptrs[4], ptrs[5], ptrs[6], ptrs[7], ptrs[8], ptrs[9], ptrs[10])
    }

    deinit { LargeBuffer.deallocate(base) }

    /// Whether these buffers can serve `rows` rows against a cache of `capacity` positions (larger buffers
    /// only have more room; the score rows' stride is scratch layout, which no sum depends on).
    func fits(rows R: Int, capacity: Int) -> Bool { R <= rows && Self.scoreStride(capacity: capacity) <= scoreStride }

    /// The score rows' stride for a cache of `capacity` positions: whole key blocks of 8.
    static func scoreStride(capacity: Int) -> Int { (capacity + 7) / 8 * 8 }
}

/// What one sampling call allocates, kept by the model for the next call: a new cache, buffers and packed
/// weights for every call cost page faults and zero fills on tens of megabytes (≈ 3 % of a sampling call
/// at small and medium; docs/gpt.md). Reused only where they fit; a reused cache is reset to zero keys,
/// so a call computes the same bits as with new ones.
final class SamplingScratch {
    private var cache: KVCache?
    private var buffers: DecodeBuffers?
    private var packed: PackedDecoderWeights?

    func cache(layers: Int, sequences: Int, capacity: Int, heads: Int, headSize: Int) -> KVCache {
        if let c = cache, c.fits(layers: layers, sequences: sequences, capacity: capacity, heads: heads, headSize: headSize) {
            c.reset()
            return c
        }
        cache = nil // free the old cache before allocating the new one
        let c = KVCache(layers: layers, sequences: sequences, capacity: capacity, heads: heads, headSize: headSize)
        cache = c
        return c
    }

    func buffers(rows: Int, config: GPTConfig, rank: Int, capacity: Int) -> DecodeBuffers {
        if let b = buffers, b.fits(rows: rows, capacity: capacity) { return b }
        buffers = nil
        let b = DecodeBuffers(rows: rows, config: config, rank: rank, capacity: capacity)
        buffers = b
        return b
    }

    /// θ of `model` packed for the decoder (the model's shape never changes, so the panels are reused).
    func packed(model: GPTModel, theta t: ConstFloatPointer) -> PackedDecoderWeights {
        if let p = packed { p.pack(model: model, theta: t); return p }
        let p = PackedDecoderWeights(model: model, theta: t)
        packed = p
        return p
    }
}

/// The decoder's weights packed once per sampling call (kernel generation 2): every block's four linear
/// layers (by `LoRATarget.index`) and the head (the token embedding).
final class PackedDecoderWeights {
    let layers: [[PackedLinear]]
    let head: PackedLinear

    init(model m: GPTModel, theta t: ConstFloatPointer) {
        let C = m.config.channels
        layers = m.layerOffsets.map { o in
            LoRATarget.allCases.map { target in
                let (IC, OC) = target.dims(channels: C)
                return PackedLinear(weight: t + o.weight(target), OC: OC, C: IC)
            }
        }
        head = PackedLinear(weight: t + m.wteOffset, OC: m.config.vocabSize, C: C)
    }

    /// Packs θ of the same model again (the panels' storage is kept).
    func pack(model m: GPTModel, theta t: ConstFloatPointer) {
        for (l, o) in m.layerOffsets.enumerated() {
            for target in LoRATarget.allCases { layers[l][target.index].pack(weight: t + o.weight(target)) }
        }
        head.pack(weight: t + m.wteOffset)
    }

    subscript(layer: Int, target: LoRATarget) -> PackedLinear { layers[layer][target.index] }
}

extension GPTModel {
    /// Runs R rows through the model: row r is token tokens[r] of sequence seq[r] at position pos[r].
    /// Writes each row's K, V into the cache, attends over the cache of its sequence up to pos[r]
    /// (rows of one sequence must be in increasing position order, earlier positions cached or in this
    /// call), and leaves logits (R,V) in buf.logits. Linear layers are one GEMM over all R rows.
    /// With `outputRows` (ascending row indices), only those rows get logits, in rows 0..<count of
    /// buf.logits: the last layer writes every row's key and value, then carries only those rows through
    /// its attention output, MLP and the head. The kept rows' logits may differ from a full step's in the
    /// last bits (OpenBLAS sums a row differently depending on where it falls among the rows of a GEMM).
    func decodeStep(R rows: Int, seq: [Int], pos: [Int], tokens: [Int32], cache: KVCache, buf: DecodeBuffers,
                    theta t: ConstFloatPointer, w wp: ConstFloatPointer?, kernels: KernelGeneration,
                    packed: PackedDecoderWeights? = nil, outputRows: [Int]? = nil) {
        let C = config.channels, NH = config.heads, hs = C / NH, V = config.vocabSize
        var R = rows, seq = seq, pos = pos
        let scale = 1 / Float(hs).squareRoot()
        for r in 0..<R {
            let o = buf.x + r * C, e = t + wteOffset + Int(tokens[r]) * C, p = t + wpeOffset + pos[r] * C
            for i in 0..<C { o[i] = e[i] + p[i] }
        }
        for l in 0..<config.layers {
            let o = layerOffsets[l]
            LayerNorm.forward(out: buf.ln, mean: buf.mean, rstd: buf.rstd, inp: buf.x, weight: t + o.ln1w, bias: t + o.ln1b, N: R, C: C)
            linearForward(out: buf.qkv, u: buf.u, inp: buf.ln, N: R, layer: l, target: .qkv, theta: t, w: wp, accumulate: false, packed: packed?[l, .qkv])
            let stride = cache.headStride, ldo = buf.scoreStride
            for r in 0..<R {
                let kv = cache.heads(layer: l, sequence: seq[r])
                let key = AttentionTiles.blockedKeyOffset(position: pos[r], channel: 0, hs: hs)
                for hh in 0..<NH {
                    let k = buf.qkv + r * 3 * C + C + hh * hs, kb = cache.keys + kv + hh * stride + key
                    for c in 0..<hs { kb[c * 8] = k[c] }
                    (cache.values + kv + hh * stride + pos[r] * hs).update(from: buf.qkv + r * 3 * C + 2 * C + hh * hs, count: hs)
                }
            }
            if l == config.layers - 1, let keep = outputRows, keep.count < R {
                // Every key and value is cached: from here on only the kept rows (residual and query).
                // Ascending, so row keep[i] ≥ i is read before anything overwrites it.
                for (i, r) in keep.enumerated() where i != r {
                    (buf.x + i * C).update(from: buf.x + r * C, count: C)
                    (buf.qkv + i * 3 * C).update(from: buf.qkv + r * 3 * C, count: C)
                }
                seq = keep.map { seq[$0] }; pos = keep.map { pos[$0] }
                R = keep.count
            }
            // Scores, softmax and P·V of every head: the training kernel's sums in the same order, so they
            // equal the full forward's bit for bit given the same q, k, v.
            for r in 0..<R {
                let kv = cache.heads(layer: l, sequence: seq[r])
                AttentionTiles.decodeRow(out: buf.atty + r * C, scores: buf.scores, ldo: ldo, q: buf.qkv + r * 3 * C,
                                         keys: cache.keys + kv, values: cache.values + kv, headStride: stride, heads: NH,
                                         n: pos[r] + 1, hs: hs, scale: scale, kernels: kernels)
            }
            linearForward(out: buf.x, u: buf.u, inp: buf.atty, N: R, layer: l, target: .attnProj, theta: t, w: wp, accumulate: true, packed: packed?[l, .attnProj])
            LayerNorm.forward(out: buf.ln, mean: buf.mean, rstd: buf.rstd, inp: buf.x, weight: t + o.ln2w, bias: t + o.ln2b, N: R, C: C)
            linearForward(out: buf.h, u: buf.u, inp: buf.ln, N: R, layer: l, target: .fc, theta: t, w: wp, accumulate: false, packed: packed?[l, .fc])
            GELU.forward(out: buf.hg, inp: buf.h, N: R * 4 * C, kernels: kernels)
            linearForward(out: buf.x, u: buf.u, inp: buf.hg, N: R, layer: l, target: .mlpProj, theta: t, w: wp, accumulate: true, packed: packed?[l, .mlpProj])
        }
        LayerNorm.forward(out: buf.ln, mean: buf.mean, rstd: buf.rstd, inp: buf.x, weight: t + lnfwOffset, bias: t + lnfbOffset, N: R, C: C)
        if let packed {
            packed.head.forward(out: buf.logits, inp: buf.ln, bias: nil, N: R, accumulate: false)
        } else {
            Linear.forward(out: buf.logits, inp: buf.ln, weight: t + wteOffset, bias: nil, N: R, C: C, OC: V)
        }
    }

    /// Batched autoregressive sampling with a KV cache. The prompts (any lengths ≥ 1) are prefilled in
    /// one pass (from kernel generation 2 on, only each prompt's last row goes past the last layer's keys
    /// and values), then each step feeds the last token of every unfinished sequence as one batch.
    /// Sequence b draws only from rngs[b] (one uniform per sampled token; none when greedy), so its
    /// tokens do not depend on the other sequences. A sequence stops after `options.eosToken`, after
    /// `maxNewTokens`, or when prompt + generated reaches the context length.
    /// Does not touch the activations saved by `forward`.
    /// `kernels`: the kernel generation (this process's by default).
    public func sample(prompts: [[Int32]], maxNewTokens: Int, options: SamplingOptions, rngs: inout [RNG],
                       kernels: KernelGeneration = .current) -> SampleBatch {
        let S = prompts.count, V = config.vocabSize
        precondition(rngs.count == S, "sample: need one RNG per prompt (\(S)), got \(rngs.count)")
        precondition(maxNewTokens >= 0, "sample: maxNewTokens must be >= 0")
        for (b, p) in prompts.enumerated() {
            precondition(!p.isEmpty && p.count <= config.contextLength, "sample: prompt \(b) must have 1...\(config.contextLength) tokens, has \(p.count)")
            precondition(p.allSatisfy { $0 >= 0 && Int($0) < V }, "sample: prompt \(b) has a token outside 0..<\(V)")
        }
        var result = SampleBatch(tokens: Array(repeating: [], count: S), logprobs: Array(repeating: [], count: S),
                                 lengths: Array(repeating: 0, count: S))
        guard S > 0 else { return result }
        let budget = prompts.map { min(maxNewTokens, config.contextLength - $0.count) }
        let capacity = zip(prompts, budget).map { $0.count + $1 }.max()!
        let promptRows = prompts.reduce(0) { $0 + $1.count }
        let cache = samplingScratch.cache(layers: config.layers, sequences: S, capacity: capacity, heads: config.heads,
                                          headSize: config.headSize)
        let buf = samplingScratch.buffers(rows: max(promptRows, S), config: config, rank: lora.rank, capacity: capacity)
        var chooser = TokenChooser(options: options, vocabSize: V)
        var done = budget.map { $0 <= 0 }
        theta.storage.withUnsafeBufferPointer { tb in
            w.storage.withUnsafeBufferPointer { wb in
                let t = tb.baseAddress!, wp = wb.baseAddress
                var seq: [Int] = [], pos: [Int] = [], toks: [Int32] = [], lastRow: [Int] = []
                seq.reserveCapacity(buf.rows); pos.reserveCapacity(buf.rows); toks.reserveCapacity(buf.rows)
                for (b, p) in prompts.enumerated() {
                    for (i, tok) in p.enumerated() { seq.append(b); pos.append(i); toks.append(tok) }
                    lastRow.append(seq.count - 1)
                }
                // From generation 2 on, the prefill is pruned to each prompt's last row after the last layer's
                // keys and values, and the one-token steps' linear layers run on weights packed once for the
                // whole call (the prefill's many rows stay with OpenBLAS, faster there).
                let prune = kernels.prunesPrefill
                let packed = kernels.packsDecoderWeights ? samplingScratch.packed(model: self, theta: t) : nil
                decodeStep(R: seq.count, seq: seq, pos: pos, tokens: toks, cache: cache, buf: buf, theta: t, w: wp,
                           kernels: kernels, outputRows: prune ? lastRow : nil)
                var rowOf = prune ? Array(0..<S) : lastRow
                while true {
                    for b in 0..<S where !done[b] {
                        let (tok, lp) = chooser.choose(buf.logits + rowOf[b] * V, rng: &rngs[b])
                        result.tokens[b].append(tok)
                        result.logprobs[b].append(lp)
                        if tok == options.eosToken || result.tokens[b].count >= budget[b] { done[b] = true }
                    }
                    seq.removeAll(keepingCapacity: true); pos.removeAll(keepingCapacity: true); toks.removeAll(keepingCapacity: true)
                    for b in 0..<S where !done[b] {
                        rowOf[b] = seq.count
                        seq.append(b); pos.append(prompts[b].count + result.tokens[b].count - 1); toks.append(result.tokens[b].last!)
                    }
                    if seq.isEmpty { break }
                    decodeStep(R: seq.count, seq: seq, pos: pos, tokens: toks, cache: cache, buf: buf, theta: t, w: wp,
                               kernels: kernels, packed: packed)
                }
            }
        }
        result.lengths = result.tokens.map(\.count)
        return result
    }
}
