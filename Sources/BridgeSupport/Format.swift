import Foundation

/// Number and string formatting that never depends on the locale: CSV and JSON bytes must be
/// identical across runs and machines.
public enum Format {
    /// Shortest round-trip decimal form of a Double ("0.1", "1e-05", "3"); "nan", "inf", "-inf".
    public static func number(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)" // Swift's description is the shortest representation that round-trips
    }

    /// Shortest round-trip form of a Float, printed through its exact Double value's shortest Float form.
    public static func number(_ x: Float) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == x.rounded(), abs(x) < 1e7 { return String(Int64(x)) }
        return "\(x)"
    }

    /// A JSON string literal.
    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    /// Fixed-width seconds for human output ("12.3s", "4m05s", "1h02m").
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let s = Int(seconds.rounded())
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }

    /// A byte count for human output ("812 MB", "10.3 TB": powers of 1000, the bytes beside it in the text).
    public static func bytes(_ b: Double) -> String {
        let units = ["bytes", "kB", "MB", "GB", "TB", "PB"]
        var v = b, i = 0
        while v >= 1000 && i < units.count - 1 { v /= 1000; i += 1 }
        return (i == 0 ? String(Int(v)) : String(format: v < 10 ? "%.1f" : "%.0f", v)) + " " + units[i] + (i > 0 ? " (\(Int64(min(b, 9e18))) bytes)" : "")
    }

    /// A number for JSON output: JSON has no NaN or infinity, so non-finite values are written as null.
    public static func jsonNumber(_ x: Double) -> String { x.isFinite ? number(x) : "null" }
    public static func jsonNumber(_ x: Float) -> String { x.isFinite ? number(x) : "null" }
}
