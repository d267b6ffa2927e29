import Foundation

/// A config value chosen from a fixed list: a Swift enum with `String` raw values (the YAML spelling).
/// Decoding an unknown value fails with the key path, the valid values and the nearest one, as an
/// unknown key does (`StrictConfig`), instead of being caught later, or never, by a string compare.
public protocol ConfigChoice: RawRepresentable, CaseIterable, Codable, Sendable where RawValue == String {}

extension ConfigChoice {
    /// The valid spellings, in declaration order.
    public static var names: [String] { allCases.map(\.rawValue) }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            let near = NearestKey.find(raw, in: Self.names).map { "; did you mean '\($0)'?" } ?? ""
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(raw)' is not one of \(Self.names.joined(separator: ", "))\(near)")
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
