import TensorCore

/// Result of `GPTModel.forward`.
public struct ForwardOutput: Sendable {
    /// log p(targets[n] | tokens[b, 0...t]) for every position n = b·T + t (0 where the target is < 0).
    public var logprobs: [Float]
    /// Entropy of the (temperature-scaled) next-token distribution per position; empty unless asked.
    public var entropy: [Float]
    /// −mean of logprobs over positions with target ≥ 0 (0 when there are none).
    public var meanLoss: Float
}

extension GPTModel {
    /// Forward on B sequences of length T (T ≤ contextLength); tokens and targets are (B·T) row-major.
    /// targets[n] < 0 marks an ignored position (logprob 0, no gradient). Logits are divided by
    /// `temperature` (log-probs under the sampling distribution). Keeps what `backward` needs.
    /// `kernels`: the kernel generation of this forward and of the `backward` that follows it.
    /// `backwardFollows`: false skips what only a backward reads (GELU's slope, computed with the output
    /// from the same exponential: a third of GELU's forward); a backward after such a forward still works,
    /// with the same bits, by computing the slope itself.
    public func forward(tokens: [Int32], targets: [Int32], B: Int, T: Int, temperature: Float = 1,
                        computeEntropy: Bool = false, kernels: KernelGeneration = .current,
                        backwardFollows: Bool = true) -> ForwardOutput {
        let C = config.channels, V = config.vocabSize, N = B * T
        precondition(B > 0 && T > 0 && T <= config.contextLength, "forward: need B > 0 and 0 < T <= \(config.contextLength), got B=\(B) T=\(T)")
        precondition(tokens.count == N && targets.count == N, "forward: tokens and targets need B·T = \(N) entries")
        precondition(temperature > 0 && temperature.isFinite, "forward: temperature must be > 0")
        precondition(tokens.allSatisfy { $0 >= 0 && Int($0) < V }, "forward: token ids must be in 0..<\(V)")
        precondition(targets.allSatisfy { Int($0) < V }, "forward: target ids must be < \(V)")
        let lay = ActivationLayout(config: config, loraSlots: loraSlots, rank: lora.rank, B: B, T: T)
        acts.ensure(lay.total)
        let chunk = kernels.trainingChunkSequences(B: B, T: T)
        saved = SavedBatch(tokens: tokens, targets: targets, B: B, T: T, temperature: temperature, kernels: kernels,
                           geluSlopes: backwardFollows, valid: true)
        var logprobs = [Float](repeating: 0, count: N)
        var entropy = [Float](repeating: 0, count: computeEntropy ? N : 0)
        let a = acts.base
        theta.storage.withUnsafeBufferPointer { tb in
            w.storage.withUnsafeBufferPointer { wb in
                tokens.withUnsafeBufferPointer { tok in
                    let t = tb.baseAddress!, wp = wb.baseAddress
                    Embedding.forward(out: a + lay.encoded, tokens: tok.baseAddress!, wte: t + wteOffset,
                                      wpe: t + wpeOffset, B: B, T: T, C: C)
                    // The blocks, one chunk of whole sequences at a time (`KernelGeneration.trainingChunkRows`;
                    // one chunk of all B before generation 3).
                    for b0 in stride(from: 0, to: B, by: chunk) {
                        let bn = min(chunk, B - b0), n = bn * T, cl = lay.chunk(fromSequence: b0)
                        var res = a + cl.encoded
                        for l in 0..<config.layers {
                            let L = cl.layers[l], o = layerOffsets[l]
                            func u(_ k: LoRATarget) -> FloatPointer? { L.u[k.index] >= 0 ? a + L.u[k.index] : nil }
                            LayerNorm.forward(out: a + L.ln1, mean: a + L.ln1Mean, rstd: a + L.ln1Rstd, inp: res,
                                              weight: t + o.ln1w, bias: t + o.ln1b, N: n, C: C)
                            linearForward(out: a + L.qkv, u: u(.qkv), inp: a + L.ln1, N: n, layer: l, target: .qkv,
                                          theta: t, w: wp, accumulate: false)
                            Attention.forward(out: a + L.atty, att: a + L.att, qkv: a + L.qkv, B: bn, T: T, C: C, NH: config.heads,
                                              kernels: kernels)
                            (a + L.res2).update(from: res, count: n * C) // res2 = res + proj(atty)
                            linearForward(out: a + L.res2, u: u(.attnProj), inp: a + L.atty, N: n, layer: l, target: .attnProj,
                                          theta: t, w: wp, accumulate: true)
                            LayerNorm.forward(out: a + L.ln2, mean: a + L.ln2Mean, rstd: a + L.ln2Rstd, inp: a + L.res2,
                                              weight: t + o.ln2w, bias: t + o.ln2b, N: n, C: C)
                            linearForward(out: a + L.fch, u: u(.fc), inp: a + L.ln2, N: n, layer: l, target: .fc,
                                          theta: t, w: wp, accumulate: false)
                            if backwardFollows {
                                GELU.forward(out: a + L.fchGelu, replacingInputBySlope: a + L.fch, N: n * 4 * C, kernels: kernels)
                            } else {
                                GELU.forward(out: a + L.fchGelu, inp: a + L.fch, N: n * 4 * C, kernels: kernels)
                            }
                            (a + L.res3).update(from: a + L.res2, count: n * C) // res3 = res2 + proj(gelu(fc))
                            linearForward(out: a + L.res3, u: u(.mlpProj), inp: a + L.fchGelu, N: n, layer: l, target: .mlpProj,
                                          theta: t, w: wp, accumulate: true)
                            res = a + L.res3
                        }
                    }
                    let res = a + lay.layers[config.layers - 1].res3
                    LayerNorm.forward(out: a + lay.lnf, mean: a + lay.lnfMean, rstd: a + lay.lnfRstd, inp: res,
                                      weight: t + lnfwOffset, bias: t + lnfbOffset, N: N, C: C)
                    // logits (N,V) = lnf · wteᵀ / temperature (tied head, no bias)
                    Linear.forward(out: a + lay.logits, inp: a + lay.lnf, weight: t + wteOffset, bias: nil,
                                   N: N, C: C, OC: V, alpha: 1 / temperature)
                    targets.withUnsafeBufferPointer { tg in
                        logprobs.withUnsafeMutableBufferPointer { lp in
                            entropy.withUnsafeMutableBufferPointer { ep in
                                TokenLogProb.forward(logprobs: lp.baseAddress!, probs: a + lay.probs,
                                                     entropy: computeEntropy ? ep.baseAddress! : nil,
                                                     logits: a + lay.logits, targets: tg.baseAddress!, N: N, V: V)
                            }
                        }
                    }
                }
            }
        }
        var total = 0.0, count = 0
        for n in 0..<N where targets[n] >= 0 { total += Double(logprobs[n]); count += 1 }
        return ForwardOutput(logprobs: logprobs, entropy: entropy, meanLoss: count > 0 ? Float(-total / Double(count)) : 0)
    }

    /// Logits (B·T, V) of the last forward (divided by its temperature), row-major; empty before any forward.
    public func lastLogits() -> [Float] {
        guard saved.valid else { return [] }
        let lay = ActivationLayout(config: config, loraSlots: loraSlots, rank: lora.rank, B: saved.B, T: saved.T)
        return Array(UnsafeBufferPointer(start: acts.base + lay.logits, count: saved.B * saved.T * config.vocabSize))
    }
}
