import BridgeSupport
import Foundation
import TensorCore

/// What every `bridge bench` command writes beside its CSV as `<name>.provenance.json`, so that a
/// figure can be traced to where, when and with which BLAS it was measured: the command line, the
/// start time, the CPU (named as scripts/bench-peer.sh names it, so a peer file can be matched to
/// it), the command's own settings, and the numerics (OpenBLAS build, the core in use and who chose
/// it, BLAS threads, code generation).
struct BenchProvenance<Settings: Encodable>: Encodable {
    var command: String
    /// When the timing started (ISO 8601, UTC).
    var dateUTC: String
    var cpuName: String
    var settings: Settings
    var numerics: NumericsProvenance

    enum CodingKeys: String, CodingKey {
        case command, dateUTC = "date_utc", cpuName = "cpu_name", settings, numerics
    }

    static func url(besides csv: URL) -> URL {
        csv.deletingPathExtension().appendingPathExtension("provenance.json")
    }

    /// Writes the record for a run that started at `started` beside `csv`; returns the file written.
    static func write(besides csv: URL, started: Date, settings: Settings) throws -> URL {
        let record = BenchProvenance(command: (["bridge"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
                                     dateUTC: ISO8601DateFormatter().string(from: started), cpuName: PeerFigures.cpuName(),
                                     settings: settings, numerics: NumericsProvenance.current())
        let url = url(besides: csv)
        try AtomicFile.write(try ConfigValue.encode(record).prettyJSON, to: url)
        return url
    }
}
