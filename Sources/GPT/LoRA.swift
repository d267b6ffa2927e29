import BridgeSupport
import Foundation
import TensorCore

/// LoRA adapter settings: rank r, scale alpha / r, and which linear layers of every block get one.
public struct LoRAConfig: Codable, Sendable, Equatable {
    /// r: adapter rank. 0 disables LoRA (w is empty). 8 is the rank of the perf anchors and of PEFT examples.
    public var rank: Int = 8
    /// alpha: the adapter's output is scaled by alpha / r (16 with r = 8 gives scale 2, as in the anchors).
    public var alpha: Double = 16
    /// Linear layers with an adapter, any subset of qkv, attn_proj, fc, mlp_proj (all four by default).
    /// An enum, so that an unknown name fails when the config or checkpoint is read, with the valid
    /// names and the nearest, instead of a precondition deep inside the model.
    public var targets: [LoRATarget] = LoRATarget.allCases

    public init(rank: Int = 8, alpha: Double = 16, targets: [LoRATarget] = LoRATarget.allCases) {
        self.rank = rank; self.alpha = alpha; self.targets = targets
    }

    /// No adapters (rank 0).
    public static let none = LoRAConfig(rank: 0, alpha: 0, targets: [])

    /// alpha / r (0 when disabled).
    public var scale: Float { rank > 0 ? Float(alpha / Double(rank)) : 0 }

    /// Whether any adapter exists.
    public var isEnabled: Bool { rank > 0 && !targets.isEmpty }

    /// Throws a ConfigError naming the bad field.
    public func validate(source: String = "lora") throws {
        if rank < 0 {
            throw ConfigError.invalid(source: source, path: "rank", line: nil, message: "must be >= 0, found \(rank)", fix: "use 0 (off) or e.g. 8")
        }
        if Set(targets).count != targets.count {
            throw ConfigError.invalid(source: source, path: "targets", line: nil, message: "duplicate target in \(targets.map(\.name))", fix: "list each target once")
        }
        if !alpha.isFinite {
            throw ConfigError.invalid(source: source, path: "alpha", line: nil, message: "must be finite", fix: "use e.g. 16")
        }
    }
}

/// The four linear layers of a block that can carry an adapter, in the order they appear in w.
/// A `ConfigChoice`: configs and checkpoints name them by their config / tensor names.
public enum LoRATarget: String, ConfigChoice {
    case qkv, attnProj = "attn_proj", fc, mlpProj = "mlp_proj"

    /// Config / tensor name.
    public var name: String { rawValue }

    public init?(name: String) { self.init(rawValue: name) }

    /// Position in declaration order: the index of this adapter in per-layer slot arrays.
    public var index: Int {
        switch self { case .qkv: 0; case .attnProj: 1; case .fc: 2; case .mlpProj: 3 }
    }

    /// (input, output) width of the wrapped linear layer for C channels.
    public func dims(channels C: Int) -> (inp: Int, out: Int) {
        switch self {
        case .qkv: return (C, 3 * C)
        case .attnProj: return (C, C)
        case .fc: return (C, 4 * C)
        case .mlpProj: return (4 * C, C)
        }
    }
}

/// Where one adapter's A (r, in) and B (out, r) live in w.
struct LoRASlot {
    let a: Int, b: Int
    let inp: Int, out: Int
}

extension GPTModel {
    /// w's layout: for each layer l and each enabled target X (in LoRATarget order)
    /// "h.{l}.X.lora_a" (r, in) then "h.{l}.X.lora_b" (out, r).
    public static func loraLayout(config: GPTConfig, lora: LoRAConfig) -> [(name: String, shape: [Int])] {
        guard lora.isEnabled else { return [] }
        var out: [(name: String, shape: [Int])] = []
        for l in 0..<config.layers {
            for t in LoRATarget.allCases where lora.targets.contains(t) {
                let (i, o) = t.dims(channels: config.channels)
                out.append(("h.\(l).\(t.name).lora_a", [lora.rank, i]))
                out.append(("h.\(l).\(t.name).lora_b", [o, lora.rank]))
            }
        }
        return out
    }

    /// A ~ U(−1/√in, 1/√in) (PEFT's default, kaiming_uniform with a = √5), B = 0, so a fresh adapter
    /// changes nothing. Each tensor draws from its own stream rng.derive("lora/<name>").
    static func initialiseLoRA(_ w: inout ParameterSet, rng: RNG) {
        for spec in w.tensors where spec.name.hasSuffix(".lora_a") {
            var r = rng.derive("lora/" + spec.name)
            let bound = 1 / Float(spec.shape[1]).squareRoot()
            for i in 0..<spec.count { w.storage[spec.offset + i] = bound * (2 * r.uniformFloat() - 1) }
        }
    }

    /// Folds the adapters into θ: W += (alpha/r)·B·A for every target; afterwards forward, backward and
    /// sample use θ alone (and backward can no longer produce ∇w) until `unmerge()`.
    public func merge() {
        guard !isMerged else { return }
        applyDelta(sign: 1)
        isMerged = true
    }

    /// Reverses `merge()`: W −= (alpha/r)·B·A (equal to the unmerged θ up to Float rounding).
    public func unmerge() {
        guard isMerged else { return }
        applyDelta(sign: -1)
        isMerged = false
    }

    private func applyDelta(sign: Float) {
        let scale = sign * lora.scale
        theta.storage.withUnsafeMutableBufferPointer { tp in
            w.storage.withUnsafeBufferPointer { wp in
                guard let t = tp.baseAddress, let wb = wp.baseAddress else { return }
                for l in 0..<config.layers {
                    for target in LoRATarget.allCases {
                        guard let s = loraSlots[l][target.index] else { continue }
                        let wOff = layerOffsets[l].weight(target)
                        // W (out, in) += scale · B (out, r) · A (r, in)
                        BLAS.gemm(.none, .none, m: s.out, n: s.inp, k: lora.rank, alpha: scale,
                                  a: wb + s.b, b: wb + s.a, beta: 1, c: t + wOff)
                    }
                }
            }
        }
    }
}
