import TensorCore

extension LayerOffsets {
    func bias(_ t: LoRATarget) -> Int {
        switch t { case .qkv: qkvb; case .attnProj: attprojb; case .fc: fcb; case .mlpProj: fcprojb }
    }
}

extension GPTModel {
    /// One block's linear layer with its adapter:
    /// out (N,OC) (=, or += when `accumulate`) inp (N,IC) · Wᵀ + b + (alpha/r) · (inp · Aᵀ) · Bᵀ.
    /// u (N,r) receives inp · Aᵀ (saved for backward) when the adapter is active.
    /// `packed`: the base weight packed once (the KV-cache decoder, kernel generation 2) instead of OpenBLAS.
    func linearForward(out: FloatPointer, u: FloatPointer?, inp: ConstFloatPointer, N: Int, layer l: Int,
                       target: LoRATarget, theta t: ConstFloatPointer, w: ConstFloatPointer?, accumulate: Bool,
                       packed: PackedLinear? = nil) {
        let (IC, OC) = target.dims(channels: config.channels)
        let o = layerOffsets[l]
        if let packed {
            packed.forward(out: out, inp: inp, bias: t + o.bias(target), N: N, accumulate: accumulate)
        } else {
            Linear.forward(out: out, inp: inp, weight: t + o.weight(target), bias: t + o.bias(target),
                           N: N, C: IC, OC: OC, accumulate: accumulate)
        }
        if adaptersActive, let s = loraSlots[l][target.index], let w, let u {
            let r = lora.rank
            Linear.forward(out: u, inp: inp, weight: w + s.a, bias: nil, N: N, C: IC, OC: r)
            Linear.forward(out: out, inp: u, weight: w + s.b, bias: nil, N: N, C: r, OC: OC,
                           alpha: lora.scale, accumulate: true)
        }
    }

    /// Backward of `linearForward`. dinp (N,IC) = dout·W_eff (overwritten, not accumulated); when `theta`: dW (OC,IC) += doutᵀ·inp,
    /// db += Σ dout; when `wGrad` and the adapter is active, with du = (alpha/r)·dout·B (N,r):
    /// dB (OC,r) += (alpha/r)·doutᵀ·u, dA (r,IC) += duᵀ·inp. dinp always includes du·A.
    func linearBackward(dinp: FloatPointer, dout: ConstFloatPointer, inp: ConstFloatPointer, u: ConstFloatPointer?,
                        du: FloatPointer, N: Int, layer l: Int, target: LoRATarget,
                        theta t: ConstFloatPointer, w: ConstFloatPointer?,
                        gradTheta gt: FloatPointer?, gradW gw: FloatPointer?) {
        let (IC, OC) = target.dims(channels: config.channels)
        let o = layerOffsets[l]
        // dinp (N,IC) = dout · W, overwritten (beta 0) so callers need not zero it first.
        BLAS.gemm(.none, .none, m: N, n: IC, k: OC, a: dout, b: t + o.weight(target), beta: 0, c: dinp)
        Linear.backward(dinp: nil, dweight: gt.map { $0 + o.weight(target) }, dbias: gt.map { $0 + o.bias(target) },
                        dout: dout, inp: inp, weight: t + o.weight(target), N: N, C: IC, OC: OC)
        if adaptersActive, let s = loraSlots[l][target.index], let w, let u {
            let r = lora.rank, scale = lora.scale
            // du (N,r) = scale · dout (N,OC) · B (OC,r)
            BLAS.gemm(.none, .none, m: N, n: r, k: OC, alpha: scale, a: dout, b: w + s.b, beta: 0, c: du)
            if let gw {
                // dB (OC,r) += scale · doutᵀ · u
                BLAS.gemm(.transpose, .none, m: OC, n: r, k: N, alpha: scale, a: dout, b: u, beta: 1, c: gw + s.b)
                // dA (r,IC) += duᵀ · inp
                BLAS.gemm(.transpose, .none, m: r, n: IC, k: N, a: du, b: inp, beta: 1, c: gw + s.a)
            }
            // dinp (N,IC) += du · A (r,IC)
            BLAS.gemm(.none, .none, m: N, n: IC, k: r, a: du, b: w + s.a, beta: 1, c: dinp)
        }
    }
}
