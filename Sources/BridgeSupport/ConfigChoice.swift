/// A config value that is one of a fixed set of words (a method, a schedule, a budget unit, …): a
/// String-backed enum whose decoding refuses an unknown word with the valid ones and the nearest, so a
/// typo fails at load time with the fix instead of deep inside a run.
public protocol ConfigChoice: RawRepresentable, CaseIterable, Codable, Sendable where RawValue == String {}

extension ConfigChoice {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(rawValue: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: Self.unknownMessage(text))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The valid words, in declaration order.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// "'x' is not one of a, b, c (did you mean 'b'?)".
    public static func unknownMessage(_ text: String) -> String {
        let near = NearestKey.find(text, in: names).map { " (did you mean '\($0)'?)" } ?? ""
        return "'\(text)' is not one of \(names.joined(separator: ", "))\(near)"
    }

    /// Parses a word outside a config tree (a CLI option, a spec field); the error names `what`.
    public static func parse(_ text: String, what: String) throws -> Self {
        guard let value = Self(rawValue: text) else { throw ConfigChoiceError(description: "\(what): \(unknownMessage(text))") }
        return value
    }
}

public struct ConfigChoiceError: Error, CustomStringConvertible, Equatable {
    public let description: String
}
