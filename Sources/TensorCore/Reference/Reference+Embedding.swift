extension Reference {
    /// Token + position embedding: out[b,t,:] = wte[tokens[b,t],:] + wpe[t,:].
    public enum Embedding {
        /// Returns out (B,T,C); tokens (B,T) in 0..<V; wte (V,C); wpe (maxT,C), maxT ≥ T.
        public static func forward(tokens: [Int32], wte: [Double], wpe: [Double], B: Int, T: Int, C: Int) -> [Double] {
            precondition(tokens.count == B * T, "tokens has \(tokens.count) elements, expected \(B * T)")
            var out = [Double](repeating: 0, count: B * T * C)
            for b in 0..<B {
                for t in 0..<T {
                    let token = Int(tokens[b * T + t])
                    for c in 0..<C { out[(b * T + t) * C + c] = wte[token * C + c] + wpe[t * C + c] }
                }
            }
            return out
        }

        /// dwte (V,C) += Σ over positions holding each token of dout; dwpe (maxT,C) += Σ_b dout[b,t,:].
        public static func backward(dwte: inout [Double], dwpe: inout [Double], dout: [Double],
                                    tokens: [Int32], B: Int, T: Int, C: Int) {
            check(dout, B * T * C, "dout")
            for b in 0..<B {
                for t in 0..<T {
                    let token = Int(tokens[b * T + t])
                    for c in 0..<C {
                        let g = dout[(b * T + t) * C + c]
                        dwte[token * C + c] += g
                        dwpe[t * C + c] += g
                    }
                }
            }
        }
    }
}
