import Foundation

/// The project's only source of randomness: xoshiro256** streams whose seeds are derived, never drawn.
///
/// Why this design: every stream is a pure function of (root seed, path of purposes and indices), so a
/// run, each rollout and each data item get the same numbers whatever the thread count or the order in
/// which they are created. `derive` mixes the parent's *key* (not its state) with the purpose's FNV-1a
/// hash and the index through SplitMix64's finaliser; the 64-bit key then seeds xoshiro256** via
/// SplitMix64, as its authors recommend. Never use Swift's `hashValue` here: it changes per process.
public struct RNG: Sendable, Equatable, Codable {
    /// The derivation key of this stream (what `derive` mixes from); fixed for the stream's lifetime.
    public let key: UInt64
    /// xoshiro256** state.
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    public static func == (a: RNG, b: RNG) -> Bool { a.key == b.key && a.state == b.state }

    /// The root stream of a seed.
    public init(seed: UInt64) {
        self.init(key: RNG.mix(seed ^ 0x6A09_E667_F3BC_C909))
    }

    private init(key: UInt64) {
        self.key = key
        var sm = key
        state = (RNG.splitMix(&sm), RNG.splitMix(&sm), RNG.splitMix(&sm), RNG.splitMix(&sm))
        if state == (0, 0, 0, 0) { state.0 = 1 }
    }

    /// An independent stream for (purpose, index), e.g. `derive("rollout", step * 1000 + i)`.
    /// Depends only on this stream's key, so derivation order and this stream's use do not matter.
    public func derive(_ purpose: String, _ index: UInt64 = 0) -> RNG {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 // FNV-1a 64 over the purpose's UTF-8 bytes
        for b in purpose.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return RNG(key: RNG.mix(key ^ RNG.mix(h) ^ RNG.mix(index &+ 0x9E37_79B9_7F4A_7C15)))
    }

    // MARK: Core generator

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = RNG.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = RNG.rotl(state.3, 45)
        return result
    }

    @inline(__always) static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    static func splitMix(_ s: inout UInt64) -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15
        return mix(s)
    }

    /// SplitMix64's finaliser: a bijective avalanche of 64 bits.
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    // MARK: Distributions

    /// Uniform Double in [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform Float in [0, 1) with 24 random bits.
    @inline(__always)
    public mutating func uniformFloat() -> Float { Float(next() >> 40) * 0x1.0p-24 }

    /// Uniform integer in 0..<n, unbiased (Lemire's multiply-and-reject).
    public mutating func int(below n: Int) -> Int {
        precondition(n > 0, "RNG.int(below:) needs n > 0")
        let bound = UInt64(n)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// Uniform integer in a closed range.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + int(below: range.upperBound - range.lowerBound + 1)
    }

    /// Standard normal sample (Box-Muller; one draw per call, the partner is discarded so that the
    /// stream position depends only on the number of calls).
    public mutating func normal() -> Double {
        var u1 = uniform()
        while u1 <= 0 { u1 = uniform() }
        let u2 = uniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// Fills a buffer with N(mean, std²) Floats.
    public mutating func fillNormal(_ out: UnsafeMutablePointer<Float>, count: Int, mean: Float = 0, std: Float) {
        for i in 0..<count { out[i] = mean + std * Float(normal()) }
    }

    /// Bernoulli(p).
    public mutating func bernoulli(_ p: Double) -> Bool { uniform() < p }

    /// Index sampled from softmax(logits / temperature). Temperature 0 means argmax (first maximum).
    public mutating func categorical(logits: UnsafePointer<Float>, count: Int, temperature: Float = 1) -> Int {
        precondition(count > 0)
        var maxIndex = 0
        for i in 1..<count where logits[i] > logits[maxIndex] { maxIndex = i }
        if temperature <= 0 { return maxIndex }
        let m = logits[maxIndex]
        var total = 0.0
        for i in 0..<count { total += Foundation.exp(Double((logits[i] - m) / temperature)) }
        let target = uniform() * total
        var acc = 0.0
        for i in 0..<count {
            acc += Foundation.exp(Double((logits[i] - m) / temperature))
            if target < acc { return i }
        }
        return maxIndex // rounding: target landed at the very top
    }

    /// Array convenience for `categorical(logits:count:temperature:)`.
    public mutating func categorical(logits: [Float], temperature: Float = 1) -> Int {
        logits.withUnsafeBufferPointer { categorical(logits: $0.baseAddress!, count: $0.count, temperature: temperature) }
    }

    /// Index sampled from explicit probabilities (need not be normalised).
    public mutating func categorical(probabilities p: [Double]) -> Int {
        let total = p.reduce(0, +)
        let target = uniform() * total
        var acc = 0.0
        for (i, x) in p.enumerated() { acc += x; if target < acc { return i } }
        return p.lastIndex(where: { $0 > 0 }) ?? 0
    }

    /// A uniformly random permutation of 0..<n (Fisher-Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var a = Array(0..<n)
        shuffle(&a)
        return a
    }

    public mutating func shuffle<T>(_ a: inout [T]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            a.swapAt(i, int(below: i + 1))
        }
    }

    // MARK: Codable (state is saved in checkpoints so that resume continues the same stream)

    enum CodingKeys: String, CodingKey { case key, state }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = UInt64(try c.decode(String.self, forKey: .key), radix: 16) ?? 0
        let s = try c.decode([String].self, forKey: .state).map { UInt64($0, radix: 16) ?? 0 }
        guard s.count == 4 else { throw DecodingError.dataCorruptedError(forKey: .state, in: c, debugDescription: "RNG state needs 4 words") }
        state = (s[0], s[1], s[2], s[3])
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(String(key, radix: 16), forKey: .key) // hex: JSON numbers lose 64-bit precision
        try c.encode([state.0, state.1, state.2, state.3].map { String($0, radix: 16) }, forKey: .state)
    }
}
