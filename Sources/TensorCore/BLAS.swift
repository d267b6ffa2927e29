import CNumerics

/// The only caller of cblas_*: row-major single-precision GEMM with named transposes, and OpenBLAS's
/// thread control. Leading dimensions are explicit so that strided views (one head of a fused QKV
/// buffer, say) need no copies.
public enum BLAS {
    public enum Transpose: Sendable {
        case none, transpose
        var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    }

    /// C(m,n) = alpha · op(A)(m,k) · op(B)(k,n) + beta · C, all row-major.
    /// lda/ldb/ldc default to the tight row length of the stored matrix.
    @inline(__always)
    public static func gemm(
        _ transA: Transpose, _ transB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int? = nil,
        b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        let lda = lda ?? (transA == .none ? k : m)
        let ldb = ldb ?? (transB == .none ? n : k)
        let ldc = ldc ?? n
        cblas_sgemm(CblasRowMajor, transA.cblas, transB.cblas, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Double-precision GEMM (Theory and reference code).
    public static func dgemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, alpha: Double = 1,
        a: UnsafePointer<Double>, lda: Int? = nil, b: UnsafePointer<Double>, ldb: Int? = nil,
        beta: Double = 0, c: UnsafeMutablePointer<Double>, ldc: Int? = nil
    ) {
        let lda = lda ?? (transA == .none ? k : m)
        let ldb = ldb ?? (transB == .none ? n : k)
        let ldc = ldc ?? n
        cblas_dgemm(CblasRowMajor, transA.cblas, transB.cblas, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// OpenBLAS worker threads. Training runs pin this to 1 and parallelise across runs.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    /// openblas_get_config(): version, build options and the core kernel family, recorded with results.
    public static var config: String { String(cString: openblas_get_config()) }

    /// The CPU core OpenBLAS selected at run time (DYNAMIC_ARCH builds).
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// The shared library that answers cblas_sgemm (must be OpenBLAS, not GSL's reference libgslcblas).
    public static var sgemmLibrary: String { String(cString: cnumerics_sgemm_library()) }

    /// True when cblas_sgemm resolved to an OpenBLAS shared object.
    public static var isOpenBLAS: Bool { sgemmLibrary.lowercased().contains("openblas") }
}
