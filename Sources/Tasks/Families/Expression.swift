import TensorCore

/// Arithmetic expressions over + - * with parentheses, reduced one operation per line.
///
/// "E:(3+4)*2-5" → trace "7*2-5\n14-5\n9\n", answer "9". The next operation is the leftmost one
/// whose operands are both numbers in the expression's parse tree (usual precedence, left
/// associativity), so the order is the one a teacher writes: parentheses first, then * before + and -.
/// Every intermediate value lies in 0...max_value (negative values are rejected at generation).
public enum ExpressionTask {
    /// A binary expression tree.
    public indirect enum Node: Equatable, Sendable {
        case number(Int)
        case op(Character, Node, Node)

        var precedence: Int {
            switch self {
            case .number: return 3
            case let .op(c, _, _): return c == "*" ? 2 : 1
            }
        }

        /// The value (nil if an operator is unknown).
        public var value: Int {
            switch self {
            case let .number(n): return n
            case let .op(c, l, r):
                switch c {
                case "+": return l.value + r.value
                case "-": return l.value - r.value
                default: return l.value * r.value
                }
            }
        }

        /// Text with the fewest parentheses that parse back to this exact tree: a left operand is
        /// bracketed when it binds more loosely than its operator, a right operand when it binds no tighter.
        public var text: String {
            switch self {
            case let .number(n): return String(n)
            case let .op(c, l, r):
                let ls = l.precedence < precedence ? "(\(l.text))" : l.text
                let rs = r.precedence <= precedence ? "(\(r.text))" : r.text
                return ls + String(c) + rs
            }
        }

        /// Number of operations.
        public var steps: Int {
            if case let .op(_, l, r) = self { return 1 + l.steps + r.steps }
            return 0
        }

        /// Every value computed on the way (each operation's result).
        var intermediateValues: [Int] {
            if case let .op(_, l, r) = self { return l.intermediateValues + r.intermediateValues + [value] }
            return []
        }

        /// The tree with its leftmost reducible operation (both operands numbers) replaced by its value.
        public func reducedOnce() -> Node {
            reduceLeftmost().node
        }

        private func reduceLeftmost() -> (node: Node, done: Bool) {
            guard case let .op(c, l, r) = self else { return (self, false) }
            if case .number = l, case .number = r { return (.number(value), true) }
            let left = l.reduceLeftmost()
            if left.done { return (.op(c, left.node, r), true) }
            let right = r.reduceLeftmost()
            return (.op(c, l, right.node), right.done)
        }
    }

    public static func generate(_ d: ExpressionDifficulty, rng: inout RNG) -> Example? {
        let steps = rng.int(in: d.minSteps...d.maxSteps)
        let tree = randomTree(steps: steps, maxOperand: d.maxOperand, rng: &rng)
        guard tree.intermediateValues.allSatisfy({ $0 >= 0 && $0 <= d.maxValue }) else { return nil }
        return make(tree)
    }

    /// The example of a tree: its text as prompt, each reduction as a line, the value as answer.
    public static func make(_ tree: Node) -> Example {
        var trace = "", cur = tree
        while cur.steps > 0 {
            cur = cur.reducedOnce()
            trace += cur.text + "\n"
        }
        return Example(prompt: "E:" + tree.text, trace: trace, answer: String(tree.value))
    }

    static func randomTree(steps: Int, maxOperand: Int, rng: inout RNG) -> Node {
        if steps == 0 { return .number(rng.int(in: 0...maxOperand)) }
        let leftSteps = rng.int(in: 0...(steps - 1))
        let op: Character = ["+", "-", "*"][rng.int(below: 3)]
        let l = randomTree(steps: leftSteps, maxOperand: maxOperand, rng: &rng)
        let r = randomTree(steps: steps - 1 - leftSteps, maxOperand: maxOperand, rng: &rng)
        return .op(op, l, r)
    }
}
