import Foundation

extension Duration {
    /// The duration in seconds as a Double (for timings in metrics and benchmarks).
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
