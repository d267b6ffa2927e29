import BridgeSupport

/// Builds the project's `ConfigError.invalid` for task and dataset errors (one place for the wording).
enum ConfigErrorShim {
    static func invalid(_ source: String, _ path: String, _ message: String, _ fix: String) -> ConfigError {
        .invalid(source: source, path: path, line: nil, message: message, fix: fix)
    }
}

/// Nearest-name suggestions for task and benchmark names.
enum BridgeSupportNearest {
    static func find(_ key: String, in candidates: [String]) -> String? { NearestKey.find(key, in: candidates) }
}
