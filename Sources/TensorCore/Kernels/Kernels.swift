/// Kernels: each op is an enum with a `forward` and a `backward` (llm.c style), in its own file.
///
/// Legend for shapes in comments: B batch, T time (sequence length), C channels, OC output channels,
/// V vocabulary, NH heads, hs = C / NH head size, N = B·T rows.
///
/// Conventions: arguments are outputs first, then saved caches, then inputs, then weights, then
/// shapes. Backward passes *accumulate* (+=) into gradients, so callers zero gradients once per step.
/// Matrix work goes through `BLAS.gemm` over all N rows at once, never one call per row.
public typealias FloatPointer = UnsafeMutablePointer<Float>
public typealias ConstFloatPointer = UnsafePointer<Float>
