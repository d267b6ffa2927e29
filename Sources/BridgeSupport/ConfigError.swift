import Foundation

/// An error in user input (config file, study spec, override, CLI value): it names the source, the key
/// path, the line where known, what is wrong and how to fix it.
public enum ConfigError: Error, CustomStringConvertible, Equatable {
    case syntax(source: String, message: String)
    case unknownKey(source: String, path: String, line: Int?, suggestion: String?, valid: [String])
    case wrongType(source: String, path: String, line: Int?, expected: String, found: String)
    case invalid(source: String, path: String, line: Int?, message: String, fix: String)
    case decodingMessage(source: String, message: String)

    static func decoding(source: String, _ error: DecodingError) -> ConfigError {
        func pathString(_ path: [CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case let .typeMismatch(type, ctx):
            return .decodingMessage(source: source, message: "\(pathString(ctx.codingPath)): expected \(type); \(ctx.debugDescription)")
        case let .valueNotFound(type, ctx):
            return .decodingMessage(source: source, message: "\(pathString(ctx.codingPath)): missing value of type \(type)")
        case let .keyNotFound(key, ctx):
            return .decodingMessage(source: source, message: "\(pathString(ctx.codingPath + [key])): required key is missing")
        case let .dataCorrupted(ctx):
            // ConfigChoice values say which words are valid: the fix is to use one of them.
            let fix = ctx.debugDescription.contains("is not one of") ? ". Fix: use one of the listed values" : ""
            return .decodingMessage(source: source, message: "\(pathString(ctx.codingPath)): \(ctx.debugDescription)\(fix)")
        @unknown default:
            return .decodingMessage(source: source, message: "\(error)")
        }
    }

    public var description: String {
        func at(_ source: String, _ path: String, _ line: Int?) -> String {
            "\(source)\(line.map { ":\($0)" } ?? ""): '\(path)'"
        }
        switch self {
        case let .syntax(source, message):
            return "\(source): cannot parse: \(message)"
        case let .unknownKey(source, path, line, suggestion, valid):
            var s = "\(at(source, path, line)) is not a known key"
            if let suggestion { s += "; did you mean '\(suggestion)'?" }
            if !valid.isEmpty { s += " Valid keys here: \(valid.joined(separator: ", "))." }
            return s
        case let .wrongType(source, path, line, expected, found):
            return "\(at(source, path, line)) must be \(expected), found \(found)"
        case let .invalid(source, path, line, message, fix):
            return "\(at(source, path, line)): \(message). Fix: \(fix)"
        case let .decodingMessage(source, message):
            return "\(source): \(message)"
        }
    }
}

extension ConfigError: LocalizedError {
    public var errorDescription: String? { description }
}
