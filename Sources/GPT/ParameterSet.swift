/// One named tensor inside a flat buffer: its shape and where it starts.
public struct TensorSpec: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    /// Index of the first element in the owning buffer.
    public let offset: Int
    /// Number of elements (product of the shape).
    public var count: Int { shape.reduce(1, *) }

    public init(name: String, shape: [Int], offset: Int) {
        self.name = name; self.shape = shape; self.offset = offset
    }
}

/// Named views into one flat Float buffer (llm.c style): zeroing is one fill, an optimizer is one loop,
/// a checkpoint is a list of slices.
public struct ParameterSet: Sendable {
    /// All values, tensors laid out back to back in declaration order.
    public var storage: [Float]
    /// The tensors, in declaration order (offsets increasing, no gaps).
    public let tensors: [TensorSpec]
    private let index: [String: Int]

    /// Zero-filled buffer holding the given tensors in order.
    public init(layout: [(name: String, shape: [Int])]) {
        var specs: [TensorSpec] = []
        var offset = 0
        for (name, shape) in layout {
            let spec = TensorSpec(name: name, shape: shape, offset: offset)
            specs.append(spec)
            offset += spec.count
        }
        tensors = specs
        storage = [Float](repeating: 0, count: offset)
        var idx: [String: Int] = [:]
        for (i, s) in specs.enumerated() {
            precondition(idx[s.name] == nil, "duplicate tensor name \(s.name)")
            idx[s.name] = i
        }
        index = idx
    }

    /// Same layout, zero values.
    public func zeroed() -> ParameterSet {
        var copy = self
        copy.storage = [Float](repeating: 0, count: storage.count)
        return copy
    }

    public var count: Int { storage.count }

    public func tensor(_ name: String) -> TensorSpec? { index[name].map { tensors[$0] } }

    /// The values of one tensor (a copy).
    public func values(_ name: String) -> [Float]? {
        guard let s = tensor(name) else { return nil }
        return Array(storage[s.offset..<(s.offset + s.count)])
    }

    /// Overwrites one tensor's values; the count must match.
    public mutating func setValues(_ name: String, _ values: [Float]) {
        guard let s = tensor(name) else { preconditionFailure("no tensor named \(name)") }
        precondition(values.count == s.count, "\(name): expected \(s.count) values, got \(values.count)")
        storage.replaceSubrange(s.offset..<(s.offset + s.count), with: values)
    }

    /// Sets every value to zero (keeps the allocation).
    public mutating func zero() {
        storage.withUnsafeMutableBufferPointer { p in
            if let base = p.baseAddress { base.update(repeating: 0, count: p.count) }
        }
    }
}
