import BridgeSupport
import Foundation

/// Peak resident memory of this process in MB: `RunTimings.peakResidentMegabytes` (the one reader).
public enum PeakMemory {
    public static func megabytes() -> Double { RunTimings.peakResidentMegabytes() }
}
