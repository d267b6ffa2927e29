import Foundation

/// A config value from a fixed set of names: a Swift enum with String raw values whose decoding of an
/// unknown name fails with the key path (via `ConfigError.decoding`), the nearest valid name and the full
/// list, instead of Foundation's bare "cannot initialize from invalid String value".
public protocol ConfigChoice: RawRepresentable, CaseIterable, Codable, Sendable where RawValue == String {}

extension ConfigChoice {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            let valid = Self.allCases.map(\.rawValue)
            let hint = NearestKey.find(raw, in: valid).map { " (did you mean '\($0)'?)" } ?? ""
            throw DecodingError.dataCorruptedError(in: container,
                                                   debugDescription: "unknown value '\(raw)'\(hint); valid values: \(valid.joined(separator: ", "))")
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
