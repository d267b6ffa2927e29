import BridgeSupport
import Foundation

/// safetensors I/O for Float32 tensors: an 8-byte little-endian header length N, N bytes of JSON header
/// ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}, keys sorted,
/// padded with spaces so that N is a multiple of 8), then the raw little-endian data in header order.
/// The same tensors and metadata always give the same bytes.
public enum SafeTensors {
    public typealias Tensor = (name: String, shape: [Int], data: [Float])

    /// Serialises tensors (sorted by name, data in that order) and string metadata.
    public static func encode(_ tensors: [Tensor], metadata: [String: String]) throws -> Data {
        let sorted = tensors.sorted { $0.name < $1.name }
        var seen = Set<String>()
        var entries: [(String, String)] = []
        var offset = 0
        for t in sorted {
            guard t.name != "__metadata__", seen.insert(t.name).inserted else {
                throw ConfigError.invalid(source: "safetensors", path: t.name, line: nil, message: "duplicate or reserved tensor name", fix: "give every tensor a unique name")
            }
            let count = t.shape.reduce(1, *)
            guard t.shape.allSatisfy({ $0 >= 0 }), count == t.data.count else {
                throw ConfigError.invalid(source: "safetensors", path: t.name, line: nil,
                                          message: "shape \(t.shape) holds \(count) values but data has \(t.data.count)", fix: "pass matching shape and data")
            }
            let shape = "[" + t.shape.map(String.init).joined(separator: ",") + "]"
            entries.append((t.name, "{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":[\(offset),\(offset + 4 * count)]}"))
            offset += 4 * count
        }
        if !metadata.isEmpty {
            let body = metadata.keys.sorted().map { Format.jsonString($0) + ":" + Format.jsonString(metadata[$0]!) }.joined(separator: ",")
            entries.append(("__metadata__", "{" + body + "}"))
        }
        entries.sort { $0.0 < $1.0 }
        var header = Array(("{" + entries.map { Format.jsonString($0.0) + ":" + $0.1 }.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var out = Data(capacity: 8 + header.count + offset)
        var n = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for t in sorted {
            t.data.withUnsafeBufferPointer { p in
                #if _endian(little)
                out.append(UnsafeBufferPointer(start: UnsafeRawPointer(p.baseAddress)?.assumingMemoryBound(to: UInt8.self), count: 4 * p.count))
                #else
                for x in p { var b = x.bitPattern.littleEndian; withUnsafeBytes(of: &b) { out.append(contentsOf: $0) } }
                #endif
            }
        }
        return out
    }

    /// Writes atomically (temporary file + rename).
    public static func write(_ tensors: [Tensor], metadata: [String: String], to url: URL) throws {
        try AtomicFile.write(try encode(tensors, metadata: metadata), to: url)
    }

    /// Reads a file written by any safetensors writer (F32 tensors only).
    public static func read(_ url: URL) throws -> (tensors: [String: (shape: [Int], data: [Float])], metadata: [String: String]) {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ConfigError.invalid(source: url.path, path: "checkpoint", line: nil, message: "file not found",
                                      fix: "check the path, or create one with `bridge init`")
        }
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw ConfigError.invalid(source: url.path, path: "checkpoint", line: nil, message: "cannot read (\(error.localizedDescription))", fix: "check permissions")
        }
        return try decode(data, source: url.path)
    }

    /// Parses safetensors bytes; `source` names the file in errors.
    public static func decode(_ data: Data, source: String) throws -> (tensors: [String: (shape: [Int], data: [Float])], metadata: [String: String]) {
        func bad(_ what: String, _ message: String) -> ConfigError {
            ConfigError.invalid(source: source, path: what, line: nil, message: message,
                                fix: "the file is not a valid safetensors file (truncated or corrupt?); recreate it")
        }
        guard data.count >= 8 else { throw bad("header", "file has \(data.count) bytes, fewer than the 8-byte header length") }
        let n = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        guard n <= UInt64(data.count - 8) else { throw bad("header", "header length \(n) exceeds the file size \(data.count)") }
        let headerData = data.subdata(in: 8..<(8 + Int(n)))
        guard let json = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw bad("header", "header is not a JSON object")
        }
        let body = 8 + Int(n)
        var metadata: [String: String] = [:]
        var tensors: [String: (shape: [Int], data: [Float])] = [:]
        for (name, value) in json {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw bad(name, "__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw bad("__metadata__.\(k)", "metadata values must be strings") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = (info["shape"] as? [NSNumber])?.map({ $0.intValue }),
                  let offs = (info["data_offsets"] as? [NSNumber])?.map({ $0.intValue }), offs.count == 2 else {
                throw bad(name, "entry needs dtype, shape and data_offsets")
            }
            guard dtype == "F32" else {
                throw ConfigError.invalid(source: source, path: name, line: nil, message: "dtype \(dtype) is not supported",
                                          fix: "convert the tensor to float32 (F32)")
            }
            let count = shape.reduce(1, *)
            guard offs[0] >= 0, offs[1] == offs[0] + 4 * count, body + offs[1] <= data.count else {
                throw bad(name, "data_offsets \(offs) do not match shape \(shape) or exceed the file")
            }
            var values = [Float](repeating: 0, count: count)
            data.withUnsafeBytes { raw in
                let start = raw.baseAddress! + body + offs[0]
                for i in 0..<count {
                    values[i] = Float(bitPattern: UInt32(littleEndian: start.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
            }
            tensors[name] = (shape, values)
        }
        return (tensors, metadata)
    }
}
