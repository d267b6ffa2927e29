import Foundation
import TensorCore

/// Offsets of one block's tensors inside θ.
struct LayerOffsets {
    let ln1w, ln1b, qkvw, qkvb, attprojw, attprojb, ln2w, ln2b, fcw, fcb, fcprojw, fcprojb: Int

    func weight(_ t: LoRATarget) -> Int {
        switch t { case .qkv: qkvw; case .attnProj: attprojw; case .fc: fcw; case .mlpProj: fcprojw }
    }
}

/// A GPT-2 model with optional LoRA adapters: base weights θ and adapter weights w in separate flat
/// buffers with separate gradient buffers, a forward/backward pair over (B, T) batches, and a KV-cache
/// sampler.
///
/// θ layout (names as in llm.c, per layer in order): wte (V,C), wpe (T,C), then for l in 0..<L
/// h.l.ln1w (C), h.l.ln1b (C), h.l.qkvw (3C,C), h.l.qkvb (3C), h.l.attprojw (C,C), h.l.attprojb (C),
/// h.l.ln2w (C), h.l.ln2b (C), h.l.fcw (4C,C), h.l.fcb (4C), h.l.fcprojw (C,4C), h.l.fcprojb (C),
/// then lnfw (C), lnfb (C). Linear weights are stored (out, in). The LM head is wte (tied).
/// w layout: see `loraLayout`. Activations are preallocated for the largest (B, T) seen and reused.
/// Not thread-safe: one model per thread (use `copy()`).
public final class GPTModel {
    public let config: GPTConfig
    public let lora: LoRAConfig
    /// Base weights θ.
    public var theta: ParameterSet
    /// LoRA adapter weights w (empty when rank 0).
    public var w: ParameterSet
    /// ∇θ, same layout as θ; backward accumulates into it.
    public var gradTheta: ParameterSet
    /// ∇w, same layout as w; backward accumulates into it.
    public var gradW: ParameterSet
    /// True between `merge()` and `unmerge()`: the adapters are folded into θ and skipped.
    public internal(set) var isMerged = false

    let layerOffsets: [LayerOffsets]
    let loraSlots: [[LoRASlot?]] // [layer][LoRATarget.index]
    let wteOffset: Int, wpeOffset: Int, lnfwOffset: Int, lnfbOffset: Int
    var acts = ActivationBuffer()
    /// The KV cache, decoder buffers and packed weights of the last `sample` call, reused by the next.
    let samplingScratch = SamplingScratch()
    var saved = SavedBatch()

    /// θ with GPT-2's initialisation and w with LoRA's (see `initialiseLoRA`); deterministic in rng:
    /// each tensor draws from its own stream rng.derive("theta/<name>") / ("lora/<name>").
    /// Precondition: `config.validate()` and `lora.validate()` pass.
    public convenience init(config: GPTConfig, lora: LoRAConfig, rng: RNG) {
        self.init(zeroedConfig: config, lora: lora)
        GPTModel.initialiseTheta(&theta, config: config, rng: rng)
        GPTModel.initialiseLoRA(&w, rng: rng)
    }

    /// A model with all parameters zero (no random draws); used when weights are loaded right away.
    init(zeroedConfig config: GPTConfig, lora: LoRAConfig) {
        precondition((try? config.validate()) != nil, "invalid GPTConfig \(config)")
        precondition((try? lora.validate()) != nil, "invalid LoRAConfig \(lora)")
        self.config = config
        self.lora = lora
        let th = ParameterSet(layout: GPTModel.thetaLayout(config))
        let ws = ParameterSet(layout: GPTModel.loraLayout(config: config, lora: lora))
        func off(_ n: String) -> Int { th.tensor(n)!.offset }
        var offsets: [LayerOffsets] = []
        var slots: [[LoRASlot?]] = []
        for l in 0..<config.layers {
            let p = "h.\(l)."
            offsets.append(LayerOffsets(ln1w: off(p + "ln1w"), ln1b: off(p + "ln1b"), qkvw: off(p + "qkvw"), qkvb: off(p + "qkvb"),
                                        attprojw: off(p + "attprojw"), attprojb: off(p + "attprojb"), ln2w: off(p + "ln2w"),
                                        ln2b: off(p + "ln2b"), fcw: off(p + "fcw"), fcb: off(p + "fcb"),
                                        fcprojw: off(p + "fcprojw"), fcprojb: off(p + "fcprojb")))
            var row: [LoRASlot?] = []
            for t in LoRATarget.allCases {
                if let a = ws.tensor(p + t.name + ".lora_a"), let b = ws.tensor(p + t.name + ".lora_b") {
                    row.append(LoRASlot(a: a.offset, b: b.offset, inp: a.shape[1], out: b.shape[0]))
                } else {
                    row.append(nil)
                }
            }
            slots.append(row)
        }
        layerOffsets = offsets
        loraSlots = slots
        wteOffset = off("wte"); wpeOffset = off("wpe"); lnfwOffset = off("lnfw"); lnfbOffset = off("lnfb")
        theta = th
        w = ws
        gradTheta = th.zeroed()
        gradW = ws.zeroed()
    }

    /// θ's layout (see the type's documentation).
    public static func thetaLayout(_ c: GPTConfig) -> [(name: String, shape: [Int])] {
        let C = c.channels
        var out: [(name: String, shape: [Int])] = [("wte", [c.vocabSize, C]), ("wpe", [c.contextLength, C])]
        for l in 0..<c.layers {
            let p = "h.\(l)."
            out += [(p + "ln1w", [C]), (p + "ln1b", [C]), (p + "qkvw", [3 * C, C]), (p + "qkvb", [3 * C]),
                    (p + "attprojw", [C, C]), (p + "attprojb", [C]), (p + "ln2w", [C]), (p + "ln2b", [C]),
                    (p + "fcw", [4 * C, C]), (p + "fcb", [4 * C]), (p + "fcprojw", [C, 4 * C]), (p + "fcprojb", [C])]
        }
        out += [("lnfw", [C]), ("lnfb", [C])]
        return out
    }

    /// GPT-2 init: weights and embeddings N(0, 0.02²), residual projections (attprojw, fcprojw)
    /// N(0, (0.02/√(2L))²), LayerNorm weights 1, biases 0.
    static func initialiseTheta(_ theta: inout ParameterSet, config: GPTConfig, rng: RNG) {
        let residualStd = Float(0.02 / (2 * Double(config.layers)).squareRoot())
        for spec in theta.tensors {
            let short = spec.name.split(separator: ".").last.map(String.init) ?? spec.name
            let start = spec.offset
            switch short {
            case "ln1w", "ln2w", "lnfw":
                for i in 0..<spec.count { theta.storage[start + i] = 1 }
            case "wte", "wpe", "qkvw", "fcw", "attprojw", "fcprojw":
                var r = rng.derive("theta/" + spec.name)
                let std: Float = (short == "attprojw" || short == "fcprojw") ? residualStd : 0.02
                theta.storage.withUnsafeMutableBufferPointer { p in
                    r.fillNormal(p.baseAddress! + start, count: spec.count, std: std)
                }
            default:
                break // biases and LayerNorm biases stay 0
            }
        }
    }

    /// Deep copy of θ, w, config and the merge state; gradients zeroed, activations not shared.
    public func copy() -> GPTModel {
        let m = GPTModel(shapeOf: self)
        m.theta = theta
        m.w = w
        m.isMerged = isMerged
        return m
    }

    /// Makes this model equal to `other` (θ, w, merge state) while keeping its own activation buffers,
    /// which are already sized and touched: refreshing a frozen reference costs a copy, not a cold
    /// allocation. Gradients are zeroed. Precondition: same config and LoRA config.
    public func assign(from other: GPTModel) {
        precondition(config == other.config && lora == other.lora, "assign(from:): models differ in shape")
        theta = other.theta
        w = other.w
        isMerged = other.isMerged
        zeroGradients()
    }

    /// A model with this one's shapes and zero parameters (no random draws).
    private init(shapeOf other: GPTModel) {
        config = other.config
        lora = other.lora
        theta = other.theta.zeroed()
        w = other.w.zeroed()
        gradTheta = other.gradTheta.zeroed()
        gradW = other.gradW.zeroed()
        layerOffsets = other.layerOffsets
        loraSlots = other.loraSlots
        wteOffset = other.wteOffset; wpeOffset = other.wpeOffset
        lnfwOffset = other.lnfwOffset; lnfbOffset = other.lnfbOffset
    }

    /// Sets ∇θ and ∇w to zero.
    public func zeroGradients() {
        gradTheta.zero()
        gradW.zero()
    }

    /// Whether the adapter path runs in forward (LoRA enabled and not merged).
    var adaptersActive: Bool { lora.isEnabled && !isMerged }
}

/// The batch the last forward saw, kept for backward.
struct SavedBatch {
    var tokens: [Int32] = []
    var targets: [Int32] = []
    var B = 0, T = 0
    var temperature: Float = 1
    var kernels: KernelGeneration = .v1
    /// Whether the forward replaced fc's output by GELU's slope (`backwardFollows`), or left it.
    var geluSlopes = false
    var valid = false
}
