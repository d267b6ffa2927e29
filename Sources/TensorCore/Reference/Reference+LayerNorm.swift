extension Reference {
    /// Layer norm over the last dimension: out = (x − μ)/√(σ² + ε) · weight + bias, biased variance.
    public enum LayerNorm {
        /// GPT-2's ε, the same as the fast kernel's.
        public static let epsilon = 1e-5

        /// Returns out (N,C) and the per-row mean and rstd = 1/√(σ² + ε) (N); inp (N,C); weight, bias (C).
        public static func forward(inp: [Double], weight: [Double], bias: [Double], N: Int, C: Int)
            -> (out: [Double], mean: [Double], rstd: [Double]) {
            check(inp, N * C, "inp"); check(weight, C, "weight"); check(bias, C, "bias")
            var out = [Double](repeating: 0, count: N * C)
            var mean = [Double](repeating: 0, count: N), rstd = [Double](repeating: 0, count: N)
            for n in 0..<N {
                let (mu, r) = stats(inp, row: n, C: C)
                for c in 0..<C { out[n * C + c] = (inp[n * C + c] - mu) * r * weight[c] + bias[c] }
                mean[n] = mu
                rstd[n] = r
            }
            return (out, mean, rstd)
        }

        /// dinp (N,C), dweight (C), dbias (C) += ; dout, inp (N,C); weight (C). Statistics are recomputed.
        /// dinp uses the explicit Jacobian ∂x̂ᵢ/∂xⱼ = rstd·(δᵢⱼ − 1/C − x̂ᵢx̂ⱼ/C), O(C²) per row.
        public static func backward(dinp: inout [Double], dweight: inout [Double], dbias: inout [Double],
                                    dout: [Double], inp: [Double], weight: [Double], N: Int, C: Int) {
            check(dout, N * C, "dout")
            for n in 0..<N {
                let (mu, r) = stats(inp, row: n, C: C)
                var xhat = [Double](repeating: 0, count: C)
                for c in 0..<C { xhat[c] = (inp[n * C + c] - mu) * r }
                for c in 0..<C {
                    dweight[c] += dout[n * C + c] * xhat[c]
                    dbias[c] += dout[n * C + c]
                }
                for j in 0..<C {
                    var g = 0.0
                    for i in 0..<C {
                        let delta: Double = i == j ? 1 : 0
                        let jacobian = r * (delta - 1 / Double(C) - xhat[i] * xhat[j] / Double(C))
                        g += dout[n * C + i] * weight[i] * jacobian
                    }
                    dinp[n * C + j] += g
                }
            }
        }

        static func stats(_ inp: [Double], row n: Int, C: Int) -> (mean: Double, rstd: Double) {
            var sum = 0.0
            for c in 0..<C { sum += inp[n * C + c] }
            let mu = sum / Double(C)
            var sq = 0.0
            for c in 0..<C { sq += (inp[n * C + c] - mu) * (inp[n * C + c] - mu) }
            return (mu, 1 / (sq / Double(C) + epsilon).squareRoot())
        }
    }
}
