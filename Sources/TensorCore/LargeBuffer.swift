import Foundation

/// Float buffers of megabytes (activations, the KV cache, packed weights) on 2 MiB pages where the
/// kernel gives them: Linux backs an allocation with transparent huge pages when asked by madvise (the
/// default "madvise" mode), and one huge page replaces 512 TLB entries. A decode step reads the KV cache
/// of every sequence and layer (tens of MB), a training step its activations: with 4 KiB pages most
/// of those reads miss the TLB first. Smaller buffers, and systems without the call, get plain memory.
public enum LargeBuffer {
    static let hugePage = 1 << 21

    /// Uninitialised room for `count` Floats; release with `deallocate`.
    public static func allocate(_ count: Int) -> FloatPointer {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        #if os(Linux)
        if bytes >= hugePage {
            let size = (bytes + hugePage - 1) / hugePage * hugePage
            var raw: UnsafeMutableRawPointer?
            if posix_memalign(&raw, hugePage, size) == 0, let raw {
                _ = madvise(raw, size, MADV_HUGEPAGE)
                return raw.bindMemory(to: Float.self, capacity: max(count, 1))
            }
        }
        #endif
        return FloatPointer.allocate(capacity: max(count, 1))
    }

    /// Frees what `allocate` returned.
    public static func deallocate(_ p: FloatPointer) {
        #if os(Linux)
        free(p)
        #else
        p.deallocate()
        #endif
    }
}
