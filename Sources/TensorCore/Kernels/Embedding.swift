/// Token + position embedding: out[b,t,:] = wte[tokens[b,t],:] + wpe[t,:].
public enum Embedding {
    /// out (B,T,C); tokens (B,T); wte (V,C); wpe (maxT,C) with maxT >= T.
    public static func forward(out: FloatPointer, tokens: UnsafePointer<Int32>,
                               wte: ConstFloatPointer, wpe: ConstFloatPointer, B: Int, T: Int, C: Int) {
        for b in 0..<B {
            for t in 0..<T {
                let o = out + (b * T + t) * C
                let e = wte + Int(tokens[b * T + t]) * C
                let p = wpe + t * C
                for i in 0..<C { o[i] = e[i] + p[i] }
            }
        }
    }

    /// dwte (V,C) += scatter of dout by token; dwpe (maxT,C) += sum over b of dout.
    /// Either gradient may be nil (frozen).
    public static func backward(dwte: FloatPointer?, dwpe: FloatPointer?, dout: ConstFloatPointer,
                                tokens: UnsafePointer<Int32>, B: Int, T: Int, C: Int) {
        for b in 0..<B {
            for t in 0..<T {
                let d = dout + (b * T + t) * C
                if let dwte {
                    let g = dwte + Int(tokens[b * T + t]) * C
                    for i in 0..<C { g[i] += d[i] }
                }
                if let dwpe {
                    let g = dwpe + t * C
                    for i in 0..<C { g[i] += d[i] }
                }
            }
        }
    }
}
