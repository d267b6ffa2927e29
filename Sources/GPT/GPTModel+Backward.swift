import TensorCore

extension GPTModel {
    /// Backward of the last `forward` given dL/dlogprob for every position (B·T). Accumulates (+=) into
    /// gradTheta when `theta` and into gradW when `w` (θ-only, w-only or both). With `theta` false no
    /// weight-gradient GEMM of θ runs, but input gradients still flow through the frozen layers.
    /// Precondition: a forward ran since the last change of B, T; `w` needs the adapters unmerged.
    public func backward(dlogprobs: [Float], theta doTheta: Bool, w doW: Bool) {
        let B = saved.B, T = saved.T, N = B * T, C = config.channels, V = config.vocabSize
        precondition(saved.valid, "backward: call forward first")
        precondition(dlogprobs.count == N, "backward: dlogprobs needs B·T = \(N) entries, got \(dlogprobs.count)")
        precondition(!(doW && isMerged && lora.isEnabled), "backward: cannot compute ∇w while adapters are merged; unmerge() first")
        guard doTheta || (doW && adaptersActive) else { return }
        let lay = ActivationLayout(config: config, loraSlots: loraSlots, rank: lora.rank, B: B, T: T)
        let a = acts.base
        func zero(_ off: Int, _ n: Int) { (a + off).update(repeating: 0, count: n) }
        let wantW = doW && adaptersActive
        theta.storage.withUnsafeBufferPointer { tb in
        w.storage.withUnsafeBufferPointer { wb in
        gradTheta.storage.withUnsafeMutableBufferPointer { gtb in
        gradW.storage.withUnsafeMutableBufferPointer { gwb in
        dlogprobs.withUnsafeBufferPointer { dlp in
        saved.targets.withUnsafeBufferPointer { tg in
            let t = tb.baseAddress!, wp = wb.baseAddress
            let gt: FloatPointer? = doTheta ? gtb.baseAddress! : nil
            let gw: FloatPointer? = wantW ? gwb.baseAddress : nil
            let dres = a + lay.dres, du = a + lay.du, kernels = saved.kernels, last = config.layers - 1
            // One chunk of whole sequences at a time, as in the forward; each chunk adds its part of the
            // weight gradients. The d-scratch holds one chunk's rows and is reused by every chunk.
            let chunk = kernels.trainingChunkSequences(B: B, T: T)
            for b0 in stride(from: 0, to: B, by: chunk) {
                let bn = min(chunk, B - b0), r0 = b0 * T, n = bn * T, cl = lay.chunk(fromSequence: b0)
                // dlogits (n,V) = dlogprob · (onehot − p); the 1/temperature of the logits is applied as alpha below.
                zero(lay.dlogits, n * V)
                TokenLogProb.backward(dlogits: a + lay.dlogits, dlogprobs: dlp.baseAddress! + r0, probs: a + cl.probs,
                                      targets: tg.baseAddress! + r0, N: n, V: V)
                zero(lay.dln, n * C)
                Linear.backward(dinp: a + lay.dln, dweight: gt.map { $0 + wteOffset }, dbias: nil, dout: a + lay.dlogits,
                                inp: a + cl.lnf, weight: t + wteOffset, N: n, C: C, OC: V, alpha: 1 / saved.temperature)
                zero(lay.dres, n * C)
                LayerNorm.backward(dinp: dres, dweight: gt.map { $0 + lnfwOffset }, dbias: gt.map { $0 + lnfbOffset },
                                   dout: a + lay.dln, inp: a + cl.layers[last].res3, weight: t + lnfwOffset,
                                   mean: a + cl.lnfMean, rstd: a + cl.lnfRstd, N: n, C: C)
                for l in stride(from: last, through: 0, by: -1) {
                    let L = cl.layers[l], o = layerOffsets[l]
                    let resIn = l == 0 ? a + cl.encoded : a + cl.layers[l - 1].res3
                    func u(_ k: LoRATarget) -> ConstFloatPointer? { L.u[k.index] >= 0 ? ConstFloatPointer(a + L.u[k.index]) : nil }
                    // res3 = res2 + fcproj(gelu(fc(ln2(res2))))
                    linearBackward(dinp: a + lay.dfchGelu, dout: dres, inp: a + L.fchGelu, u: u(.mlpProj), du: du, N: n,
                                   layer: l, target: .mlpProj, theta: t, w: wp, gradTheta: gt, gradW: gw)
                    if saved.geluSlopes { // now d fch
                        GELU.backwardInPlace(grad: a + lay.dfchGelu, slope: a + L.fch, N: n * 4 * C)
                    } else {
                        GELU.backwardInPlace(grad: a + lay.dfchGelu, inp: a + L.fch, N: n * 4 * C, kernels: kernels)
                    }
                    linearBackward(dinp: a + lay.dln, dout: a + lay.dfchGelu, inp: a + L.ln2, u: u(.fc), du: du, N: n,
                                   layer: l, target: .fc, theta: t, w: wp, gradTheta: gt, gradW: gw)
                    LayerNorm.backward(dinp: dres, dweight: gt.map { $0 + o.ln2w }, dbias: gt.map { $0 + o.ln2b },
                                       dout: a + lay.dln, inp: a + L.res2, weight: t + o.ln2w,
                                       mean: a + L.ln2Mean, rstd: a + L.ln2Rstd, N: n, C: C)
                    // res2 = res + attproj(attention(qkv(ln1(res))))
                    linearBackward(dinp: a + lay.datty, dout: dres, inp: a + L.atty, u: u(.attnProj), du: du, N: n,
                                   layer: l, target: .attnProj, theta: t, w: wp, gradTheta: gt, gradW: gw)
                    Attention.backward(dqkv: a + lay.dqkv, scratch: a + lay.attScratch, dout: a + lay.datty,
                                       qkv: a + L.qkv, att: a + L.att, B: bn, T: T, C: C, NH: config.heads, kernels: kernels)
                    linearBackward(dinp: a + lay.dln, dout: a + lay.dqkv, inp: a + L.ln1, u: u(.qkv), du: du, N: n,
                                   layer: l, target: .qkv, theta: t, w: wp, gradTheta: gt, gradW: gw)
                    LayerNorm.backward(dinp: dres, dweight: gt.map { $0 + o.ln1w }, dbias: gt.map { $0 + o.ln1b },
                                       dout: a + lay.dln, inp: resIn, weight: t + o.ln1w,
                                       mean: a + L.ln1Mean, rstd: a + L.ln1Rstd, N: n, C: C)
                }
                if let gt {
                    saved.tokens.withUnsafeBufferPointer { tok in
                        Embedding.backward(dwte: gt + wteOffset, dwpe: gt + wpeOffset, dout: dres, tokens: tok.baseAddress! + r0,
                                           B: bn, T: T, C: C)
                    }
                }
            }
        }}}}}}
    }
}
