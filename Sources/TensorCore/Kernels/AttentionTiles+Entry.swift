/// The arithmetic tiles as public functions of a kernel generation, for the tests that compare
/// formulations tile by tile (`Attention` and the decoder call `Tiles<A>` directly). The contracts are
/// those of the `Tiles` functions of the same names.
extension AttentionTiles {
    public static func causalScores(out: FloatPointer, ldo: Int, a: ConstFloatPointer, lda: Int, bt: ConstFloatPointer,
                                    ldb: Int, r0: Int, r1: Int, cols: Int, hs: Int, scale: Float,
                                    kernels: KernelGeneration = .current) {
        switch kernels.arithmetic {
        case .separate: Tiles<SeparateProducts>.causalScores(out: out, ldo: ldo, a: a, lda: lda, bt: bt, ldb: ldb, r0: r0, r1: r1,
                                                       cols: cols, hs: hs, scale: scale)
        case .fused: Tiles<FusedProducts>.causalScores(out: out, ldo: ldo, a: a, lda: lda, bt: bt, ldb: ldb, r0: r0, r1: r1,
                                                    cols: cols, hs: hs, scale: scale)
        }
    }

    public static func scoreRow(out: FloatPointer, q: ConstFloatPointer, bt: ConstFloatPointer, ldb: Int, n: Int, cols: Int,
                                hs: Int, scale: Float, kernels: KernelGeneration = .current) {
        switch kernels.arithmetic {
        case .separate: Tiles<SeparateProducts>.scoreRow(out: out, q: q, bt: bt, ldb: ldb, n: n, cols: cols, hs: hs, scale: scale)
        case .fused: Tiles<FusedProducts>.scoreRow(out: out, q: q, bt: bt, ldb: ldb, n: n, cols: cols, hs: hs, scale: scale)
        }
    }

    public static func softmax(_ row: FloatPointer, _ n: Int, limit: Int, kernels: KernelGeneration = .current) {
        switch kernels.arithmetic {
        case .separate: Tiles<SeparateProducts>.softmax(row, n, limit: limit)
        case .fused: Tiles<FusedProducts>.softmax(row, n, limit: limit)
        }
    }

    public static func causalWeightedSum(out: FloatPointer, ldo: Int, p: ConstFloatPointer, ldp: Int, x: ConstFloatPointer,
                                         ldx: Int, r0: Int, r1: Int, hs: Int, accumulate: Bool,
                                         kernels: KernelGeneration = .current) {
        switch kernels.arithmetic {
        case .separate: Tiles<SeparateProducts>.causalWeightedSum(out: out, ldo: ldo, p: p, ldp: ldp, x: x, ldx: ldx, r0: r0, r1: r1,
                                                            hs: hs, accumulate: accumulate)
        case .fused: Tiles<FusedProducts>.causalWeightedSum(out: out, ldo: ldo, p: p, ldp: ldp, x: x, ldx: ldx, r0: r0, r1: r1,
                                                         hs: hs, accumulate: accumulate)
        }
    }

    public static func weightedRow(out: FloatPointer, p: ConstFloatPointer, n: Int, x: ConstFloatPointer, ldx: Int, hs: Int,
                                   accumulate: Bool, kernels: KernelGeneration = .current) {
        switch kernels.arithmetic {
        case .separate: Tiles<SeparateProducts>.weightedRow(out: out, p: p, n: n, x: x, ldx: ldx, hs: hs, accumulate: accumulate)
        case .fused: Tiles<FusedProducts>.weightedRow(out: out, p: p, n: n, x: x, ldx: ldx, hs: hs, accumulate: accumulate)
        }
    }

    public static func causalTransposedWeightedSum(out: FloatPointer, ldo: Int, s: ConstFloatPointer, lds: Int,
                                                   x: ConstFloatPointer, ldx: Int, T: Int, hs: Int, accumulate: Bool,
                                                   kernels: KernelGeneration = .current) {
        switch kernels.arithmetic {
        case .separate: Tiles<SeparateProducts>.causalTransposedWeightedSum(out: out, ldo: ldo, s: s, lds: lds, x: x, ldx: ldx,
                                                                      T: T, hs: hs, accumulate: accumulate)
        case .fused: Tiles<FusedProducts>.causalTransposedWeightedSum(out: out, ldo: ldo, s: s, lds: lds, x: x, ldx: ldx,
                                                                   T: T, hs: hs, accumulate: accumulate)
        }
    }
}
