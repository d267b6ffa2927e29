import Foundation

extension Reference {
    /// GELU, GPT-2's tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    public enum GELU {
        static let k = (2 / Double.pi).squareRoot()

        /// Returns out (N); inp (N).
        public static func forward(inp: [Double]) -> [Double] {
            inp.map { x in 0.5 * x * (1 + Foundation.tanh(k * (x + 0.044715 * x * x * x))) }
        }

        /// dinp (N) += dout · gelu'(x), with gelu'(x) = ½(1 + tanh u) + ½·x·u′/cosh²u, u = k(x + 0.044715x³).
        public static func backward(dinp: inout [Double], inp: [Double], dout: [Double]) {
            check(dout, inp.count, "dout")
            for i in 0..<inp.count {
                let x = inp[i]
                let u = k * (x + 0.044715 * x * x * x)
                let du = k * (1 + 3 * 0.044715 * x * x)
                let ch = Foundation.cosh(u)
                dinp[i] += dout[i] * (0.5 * (1 + Foundation.tanh(u)) + 0.5 * x * du / (ch * ch))
            }
        }
    }
}
