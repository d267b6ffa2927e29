extension Reference {
    /// Residual connection: out = a + b.
    public enum Residual {
        /// Returns out (N); a, b (N).
        public static func forward(a: [Double], b: [Double]) -> [Double] {
            check(b, a.count, "b")
            return (0..<a.count).map { a[$0] + b[$0] }
        }

        /// da, db (N) += dout.
        public static func backward(da: inout [Double], db: inout [Double], dout: [Double]) {
            for i in 0..<dout.count { da[i] += dout[i]; db[i] += dout[i] }
        }
    }
}
