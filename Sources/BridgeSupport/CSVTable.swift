import Foundation

/// A CSV table with a fixed column order, written in one piece (atomic) so that a reader never sees
/// half a file. Numbers go through `Format.number` (shortest round-trip); strings are quoted when needed.
public struct CSVTable: Sendable {
    public let columns: [String]
    public private(set) var rows: [[String]] = []

    public init(columns: [String]) { self.columns = columns }

    public enum Cell: Sendable, ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
        case text(String), number(Double), integer(Int), empty
        public init(stringLiteral value: String) { self = .text(value) }
        public init(floatLiteral value: Double) { self = .number(value) }
        public init(integerLiteral value: Int) { self = .integer(value) }

        public var rendered: String {
            switch self {
            case let .text(s): return CSVTable.escape(s)
            case let .number(x): return Format.number(x)
            case let .integer(i): return String(i)
            case .empty: return ""
            }
        }
    }

    public mutating func append(_ cells: [Cell]) {
        precondition(cells.count == columns.count, "CSV row has \(cells.count) cells, header has \(columns.count)")
        rows.append(cells.map { $0.rendered })
    }

    /// Appends a row given as column name -> cell; missing columns are empty; unknown names trap (a bug).
    public mutating func append(named: [String: Cell]) {
        for key in named.keys { precondition(columns.contains(key), "unknown CSV column \(key)") }
        rows.append(columns.map { named[$0]?.rendered ?? "" })
    }

    public var text: String {
        var out = columns.map(CSVTable.escape).joined(separator: ",") + "\n"
        for r in rows { out += r.joined(separator: ",") + "\n" }
        return out
    }

    public func write(to url: URL) throws { try AtomicFile.write(text, to: url) }

    public static func escape(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    /// Parses CSV text written by this type (quoted fields allowed) into header and rows.
    public static func parse(_ text: String) -> (header: [String], rows: [[String]]) {
        var records: [[String]] = []
        var field = "", record: [String] = [], inQuotes = false
        var it = Array(text).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let n = it.next() { if n == "\"" { field.append("\"") } else { inQuotes = false; pending = n } } else { inQuotes = false }
                } else { field.append(c) }
            } else if c == "\"" { inQuotes = true }
            else if c == "," { record.append(field); field = "" }
            else if c == "\n" { record.append(field); records.append(record); record = []; field = "" }
            else { field.append(c) }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        guard let header = records.first else { return ([], []) }
        return (header, Array(records.dropFirst()))
    }
}
