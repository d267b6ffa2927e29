import Foundation

extension Reference {
    /// Causal multi-head self-attention from a fused QKV tensor, one query position at a time.
    /// For head h: scoresₜᵤ = q_t·k_u/√hs (u ≤ t), att = softmax over u, out_t = Σ_u att_tu·v_u.
    public enum Attention {
        /// Returns out (B,T,C) and att (B,NH,T,T) (probabilities, zero for u > t);
        /// qkv (B,T,3C): Q at channels [0,C), K at [C,2C), V at [2C,3C), head h at h·hs within each.
        public static func forward(qkv: [Double], B: Int, T: Int, C: Int, NH: Int) -> (out: [Double], att: [Double]) {
            precondition(NH > 0 && C % NH == 0, "C (\(C)) must be a multiple of NH (\(NH))")
            check(qkv, B * T * 3 * C, "qkv")
            let hs = C / NH
            var out = [Double](repeating: 0, count: B * T * C)
            var att = [Double](repeating: 0, count: B * NH * T * T)
            for b in 0..<B {
                for h in 0..<NH {
                    for t in 0..<T {
                        let p = probabilities(qkv, b: b, h: h, t: t, T: T, C: C, hs: hs)
                        for u in 0...t {
                            att[((b * NH + h) * T + t) * T + u] = p[u]
                            for i in 0..<hs {
                                out[(b * T + t) * C + h * hs + i] += p[u] * qkv[(b * T + u) * 3 * C + 2 * C + h * hs + i]
                            }
                        }
                    }
                }
            }
            return (out, att)
        }

        /// dqkv (B,T,3C) += ; dout (B,T,C); qkv (B,T,3C). Probabilities are recomputed; the softmax
        /// backward uses the explicit Jacobian ∂pᵤ/∂sᵥ = pᵤ(δᵤᵥ − pᵥ), O(T²) per query.
        public static func backward(dqkv: inout [Double], dout: [Double], qkv: [Double],
                                    B: Int, T: Int, C: Int, NH: Int) {
            check(dout, B * T * C, "dout")
            let hs = C / NH
            let scale = 1 / Double(hs).squareRoot()
            for b in 0..<B {
                for h in 0..<NH {
                    for t in 0..<T {
                        let p = probabilities(qkv, b: b, h: h, t: t, T: T, C: C, hs: hs)
                        let q = (b * T + t) * 3 * C + h * hs
                        let d = (b * T + t) * C + h * hs
                        // out_t = Σ_u p_u v_u: dp_u = dout_t·v_u, dv_u += p_u·dout_t.
                        var dp = [Double](repeating: 0, count: t + 1)
                        for u in 0...t {
                            let v = (b * T + u) * 3 * C + 2 * C + h * hs
                            for i in 0..<hs {
                                dp[u] += dout[d + i] * qkv[v + i]
                                dqkv[v + i] += p[u] * dout[d + i]
                            }
                        }
                        // s_v = q_t·k_v·scale: ds_v = Σ_u dp_u ∂p_u/∂s_v.
                        for w in 0...t {
                            var ds = 0.0
                            for u in 0...t { ds += dp[u] * p[u] * ((u == w ? 1 : 0) - p[w]) }
                            let k = (b * T + w) * 3 * C + C + h * hs
                            for i in 0..<hs {
                                dqkv[q + i] += ds * scale * qkv[k + i]
                                dqkv[k + i] += ds * scale * qkv[q + i]
                            }
                        }
                    }
                }
            }
        }

        /// Softmax over u ≤ t of the scaled scores of query t in head h of sequence b.
        static func probabilities(_ qkv: [Double], b: Int, h: Int, t: Int, T: Int, C: Int, hs: Int) -> [Double] {
            let scale = 1 / Double(hs).squareRoot()
            let q = (b * T + t) * 3 * C + h * hs
            var s = [Double](repeating: 0, count: t + 1)
            for u in 0...t {
                let k = (b * T + u) * 3 * C + C + h * hs
                for i in 0..<hs { s[u] += qkv[q + i] * qkv[k + i] }
                s[u] *= scale
            }
            let m = s.max()!
            let e = s.map { Foundation.exp($0 - m) }
            let z = e.reduce(0, +)
            return e.map { $0 / z }
        }
    }
}
