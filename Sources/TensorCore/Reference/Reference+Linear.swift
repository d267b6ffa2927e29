extension Reference {
    /// Linear layer: out[n,o] = alpha · Σ_c inp[n,c]·weight[o,c] + bias[o], weight stored (OC,C).
    public enum Linear {
        /// Returns out (N,OC); inp (N,C); weight (OC,C); bias (OC) or nil.
        public static func forward(inp: [Double], weight: [Double], bias: [Double]?,
                                   N: Int, C: Int, OC: Int, alpha: Double = 1) -> [Double] {
            check(inp, N * C, "inp"); check(weight, OC * C, "weight")
            if let bias { check(bias, OC, "bias") }
            var out = [Double](repeating: 0, count: N * OC)
            for n in 0..<N {
                for o in 0..<OC {
                    var s = 0.0
                    for c in 0..<C { s += inp[n * C + c] * weight[o * C + c] }
                    out[n * OC + o] = alpha * s + (bias?[o] ?? 0)
                }
            }
            return out
        }

        /// dinp (N,C), dweight (OC,C), dbias (OC) += ; dout (N,OC); inp (N,C); weight (OC,C).
        public static func backward(dinp: inout [Double], dweight: inout [Double], dbias: inout [Double],
                                    dout: [Double], inp: [Double], weight: [Double],
                                    N: Int, C: Int, OC: Int, alpha: Double = 1) {
            check(dout, N * OC, "dout")
            for n in 0..<N {
                for o in 0..<OC {
                    let g = dout[n * OC + o]
                    dbias[o] += g
                    for c in 0..<C {
                        dinp[n * C + c] += alpha * g * weight[o * C + c]
                        dweight[o * C + c] += alpha * g * inp[n * C + c]
                    }
                }
            }
        }
    }
}
