import Testing
import TensorCore

@Suite struct BLASLinkTests {
    /// The pitfall: libgsl pulls in libgslcblas, which also exports cblas_sgemm; OpenBLAS must win.
    @Test func sgemmResolvesToOpenBLAS() {
        let lib = BLAS.sgemmLibrary
        #expect(lib.lowercased().contains("openblas"), "cblas_sgemm resolved to '\(lib)'")
        #expect(!lib.contains("gslcblas"))
        #expect(!BLAS.config.isEmpty)
    }

    @Test func gemmWithTransposesAndStrides() {
        // A (2,3), B (3,2) -> C = A·B; then Aᵀ stored (3,2) with transpose gives the same.
        let a: [Float] = [1, 2, 3, 4, 5, 6]
        let b: [Float] = [7, 8, 9, 10, 11, 12]
        var c = [Float](repeating: 0, count: 4)
        BLAS.gemm(.none, .none, m: 2, n: 2, k: 3, a: a, b: b, c: &c)
        #expect(c == [58, 64, 139, 154])
        let at: [Float] = [1, 4, 2, 5, 3, 6]
        var c2 = [Float](repeating: 0, count: 4)
        BLAS.gemm(.transpose, .none, m: 2, n: 2, k: 3, a: at, b: b, c: &c2)
        #expect(c2 == c)
    }

    @Test func threadCountCanBeSetAndRead() {
        let old = BLAS.threads
        BLAS.threads = 1
        #expect(BLAS.threads == 1)
        BLAS.threads = old
    }
}
