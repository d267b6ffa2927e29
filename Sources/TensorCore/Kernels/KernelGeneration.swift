import CNumerics
import Foundation

/// Which arithmetic this project's own kernels use. A result's bits depend on it, as they depend on the
/// OpenBLAS core, so it is recorded with every result (numerics provenance, study manifests, the
/// base-model cache key) and `bridge study verify` recomputes a study with the generation it was
/// computed with. Old generations stay in the code so that committed results keep reproducing; a new
/// default that changes bits is a new case, never a change to an existing one.
public enum KernelGeneration: Int, CaseIterable, Sendable, Codable, CustomStringConvertible {
    /// Separate multiply and add in every sum of products of the attention tiles, exp and GELU; the
    /// KV-cache prefill carries every prompt row through the whole model. The kernels of every result
    /// committed up to 2026-11-30.
    case v1 = 1
    /// Fused multiply-add (one exactly rounded operation) in the same sums, in the same order; the
    /// prefill carries only each prompt's last row through the last layer's attention output, MLP and
    /// head (the other rows' logits are never used); the decoder's one-token steps run their linear
    /// layers on weights packed once per sampling call (`PackedLinear`).
    case v2 = 2
    /// Generation 2's arithmetic, with the training step (forward and backward) taken in chunks of whole
    /// sequences (`trainingChunkRows`) that go through every layer while their activations are still in
    /// cache. Each chunk's weight gradients are added to the step's (a K-split of those GEMMs), and
    /// OpenBLAS's rows depend on the GEMM's height: different bits from generation 2's, not better ones.
    case v3 = 3

    /// The newest generation (`BRIDGE_KERNELS=latest`).
    public static let latest: KernelGeneration = .v3

    /// How this generation's own kernels form c + a·b (`ProductSum`). Every kernel entry point switches on
    /// this, not on the generation, so that a new generation is mapped to its arithmetic here, once.
    public var arithmetic: Arithmetic {
        switch self {
        case .v1: .separate
        case .v2, .v3: .fused
        }
    }

    /// Whether the KV-cache prefill carries only each prompt's last row past the last layer's keys and values.
    public var prunesPrefill: Bool { self != .v1 }

    /// Whether the decoder's one-token steps run their linear layers on weights packed once per call (`PackedLinear`).
    public var packsDecoderWeights: Bool { self != .v1 }

    /// Rows (sequences × positions) per chunk of a training step, or nil for one chunk of the whole batch.
    /// A chunk holds max(1, rows / T) whole sequences. A constant of the generation, never of the machine,
    /// so that a step's bits do not depend on where it runs (docs/kernels.md has the measurements).
    public var trainingChunkRows: Int? {
        switch self {
        case .v1, .v2: nil
        case .v3: 1024
        }
    }

    /// Sequences per chunk of a training step of B sequences of length T (B when the generation does not chunk).
    public func trainingChunkSequences(B: Int, T: Int) -> Int {
        guard let rows = trainingChunkRows else { return B }
        return min(B, max(1, rows / T))
    }

    /// What a process runs when BRIDGE_KERNELS is not set: the latest in a native build; generation 1 in
    /// a portable build, which has no fused multiply-add instruction and calls libm's `fmaf` once per lane
    /// instead (the same bits, but a generation-2 RL run took 40× as long as the native build's).
    public static var buildDefault: KernelGeneration {
        #if BRIDGE_CODEGEN_HASWELL
        return latest
        #else
        return .v1
        #endif
    }
    /// The environment variable that chooses the generation (a number, or `latest`; unset: `buildDefault`).
    public static let variable = "BRIDGE_KERNELS"

    public var description: String { String(rawValue) }

    /// One line for `bridge doctor` and provenance.
    public var summary: String {
        switch self {
        case .v1: "separate multiply and add, full prefill: the kernels of the results committed up to 2026-11-30"
        case .v2: "fused multiply-add in attention, exp and GELU; pruned prefill; decoder GEMMs on weights packed once"
        case .v3: "generation 2, with each training step taken in chunks of \(trainingChunkRows ?? 0) rows of whole sequences"
        }
    }

    /// BRIDGE_KERNELS's value: empty or missing → `buildDefault`; otherwise a generation number or `latest`.
    public static func parse(_ text: String?) throws -> KernelGeneration {
        guard let t = text?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return buildDefault }
        if t.lowercased() == "latest" { return latest }
        if let n = Int(t), let g = KernelGeneration(rawValue: n) { return g }
        throw KernelGenerationError(value: t)
    }

    /// The generation of this process: BRIDGE_KERNELS as it was when first asked, else `buildDefault`.
    /// `bridge` checks the variable before any kernel runs (a clear error instead of this trap); worker
    /// processes inherit it.
    public static var current: KernelGeneration {
        lock.lock(); defer { lock.unlock() }
        if let g = chosen { return g }
        let g: KernelGeneration
        do { g = try parse(ProcessInfo.processInfo.environment[variable]) } catch { preconditionFailure("\(error)") }
        chosen = g
        return g
    }

    /// Runs the rest of this process (and the worker processes it starts) on `generation`: sets
    /// BRIDGE_KERNELS too. For `bridge study verify`, before any kernel runs.
    public static func use(_ generation: KernelGeneration) {
        lock.lock(); defer { lock.unlock() }
        setenv(variable, String(generation.rawValue), 1)
        chosen = generation
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var chosen: KernelGeneration?
}

public struct KernelGenerationError: Error, CustomStringConvertible {
    public let value: String
    public var description: String {
        "\(KernelGeneration.variable)=\(value) is not a kernel generation: use one of "
            + KernelGeneration.allCases.map(\.description).joined(separator: ", ")
            + " or latest (\(KernelGeneration.latest)), or unset it (this build's default, \(KernelGeneration.buildDefault))"
    }
}

/// The arithmetic of a generation's sums of products (`KernelGeneration.arithmetic`).
public enum Arithmetic: Sendable {
    /// A rounded product, then a rounded sum (`SeparateProducts`).
    case separate
    /// One exactly rounded fused multiply-add (`FusedProducts`).
    case fused
}

/// How a kernel forms c + a·b: the one operation in which the generations' sums of products differ.
protocol ProductSum {
    static func madd(_ c: Float, _ a: Float, _ b: Float) -> Float
    static func madd(_ c: SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float>
}

/// Generation 1: a rounded product, then a rounded sum.
enum SeparateProducts: ProductSum {
    @inline(__always) static func madd(_ c: Float, _ a: Float, _ b: Float) -> Float { c + a * b }
    @inline(__always) static func madd(_ c: SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { c + a * b }
}

/// Generation 2: one exactly rounded fused multiply-add (vfmadd in the native build, libm's fmaf in the
/// portable one: the same bits). Swift never contracts `a * b + c` by itself, so it is written out; the
/// vector form is `cnumerics_fma8`, one vector operation (`SIMD8.addingProduct` is a loop over the lanes).
enum FusedProducts: ProductSum {
    @inline(__always) static func madd(_ c: Float, _ a: Float, _ b: Float) -> Float { c.addingProduct(a, b) }
    @inline(__always) static func madd(_ c: SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { cnumerics_fma8(c, a, b) }
}

extension ProductSum {
    /// acc ← acc + a·b (8 lanes).
    @inline(__always) static func addProduct(_ acc: inout SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) {
        acc = madd(acc, a, b)
    }
    /// acc ← acc + a·b with a broadcast to every lane.
    @inline(__always) static func addProduct(_ acc: inout SIMD8<Float>, _ a: Float, _ b: SIMD8<Float>) {
        acc = madd(acc, SIMD8(repeating: a), b)
    }
    /// acc ← acc + a·b: the scalar tails' step, the operation of one lane of the vector forms.
    @inline(__always) static func addProduct(_ acc: inout Float, _ a: Float, _ b: Float) {
        acc = madd(acc, a, b)
    }
}
