import Tasks

/// An independent checker of generated traces (written for the tests, not shared with the generators):
/// returns nil when every line's arithmetic holds, else a description of the first bad line.
enum TraceChecker {
    static func check(_ ex: Example) -> String? {
        let lines = ex.traceLines
        let body = String(ex.prompt.dropFirst(2))
        switch ex.prompt.first {
        case "A": return columns(ex, lines, body, op: "+")
        case "M": return columns(ex, lines, body, op: "*")
        case "E": return expression(ex, lines, body)
        default: return "unknown prompt \(ex.prompt)"
        }
    }

    /// Column lines "x<op>y+c=hl": digits of the operands from the right, c the previous line's h, x<op>y+c = 10h+l.
    static func columns(_ ex: Example, _ lines: [String], _ body: String, op: Character) -> String? {
        let parts = body.split(separator: op).map(String.init)
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) else { return "bad prompt \(ex.prompt)" }
        let da = Array(parts[0].reversed()).map { Int(String($0))! }
        let db = Array(parts[1].reversed()).map { Int(String($0))! }
        let n = op == "+" ? max(da.count, db.count) : da.count
        guard lines.count == n else { return "\(ex.prompt): \(lines.count) lines, expected \(n)" }
        var carry = 0, low: [Int] = []
        for (i, line) in lines.enumerated() {
            let c = Array(line)
            guard c.count == 8, c[1] == op, c[3] == "+", c[5] == "=", let x = Int(String(c[0])), let y = Int(String(c[2])),
                  let cin = Int(String(c[4])), let h = Int(String(c[6])), let l = Int(String(c[7])) else { return "\(ex.prompt): line \(i) '\(line)' malformed" }
            let wantX = i < da.count ? da[i] : 0
            let wantY = op == "+" ? (i < db.count ? db[i] : 0) : b
            guard x == wantX, y == wantY else { return "\(ex.prompt): line \(i) '\(line)' uses wrong digits" }
            guard cin == carry else { return "\(ex.prompt): line \(i) '\(line)' carry in \(cin), expected \(carry)" }
            let v = (op == "+" ? x + y : x * y) + cin
            guard v == 10 * h + l else { return "\(ex.prompt): line \(i) '\(line)' arithmetic wrong" }
            carry = h; low.append(l)
        }
        var digits = String(low.reversed().map(String.init).joined())
        if carry > 0 { digits = String(carry) + digits }
        let fromTrace = String(Int(digits)!)
        let truth = op == "+" ? a + b : a * b
        guard fromTrace == ex.answer, ex.answer == String(truth) else { return "\(ex.prompt): answer \(ex.answer), trace gives \(fromTrace), truth \(truth)" }
        return nil
    }

    /// Expression lines: each parses, keeps the value, has exactly one operation fewer; the last is the answer.
    static func expression(_ ex: Example, _ lines: [String], _ body: String) -> String? {
        guard var prev = Mini.parse(body) else { return "bad prompt \(ex.prompt)" }
        guard lines.count == prev.ops else { return "\(ex.prompt): \(lines.count) lines for \(prev.ops) operations" }
        for (i, line) in lines.enumerated() {
            guard let cur = Mini.parse(line) else { return "\(ex.prompt): line \(i) '\(line)' does not parse" }
            guard cur.value == prev.value else { return "\(ex.prompt): line \(i) '\(line)' = \(cur.value), expected \(prev.value)" }
            guard cur.ops == prev.ops - 1 else { return "\(ex.prompt): line \(i) '\(line)' does not reduce exactly one operation" }
            let before = i == 0 ? body : lines[i - 1]
            guard replacesOneOperation(before, line) else { return "\(ex.prompt): line \(i) '\(line)' is not '\(before)' with one operation computed" }
            prev = cur
        }
        guard lines.last == ex.answer, String(prev.value) == ex.answer else { return "\(ex.prompt): answer \(ex.answer)" }
        return nil
    }

    /// True when `after` is `before` with one "x op y" (optionally in parentheses) replaced by its value.
    static func replacesOneOperation(_ before: String, _ after: String) -> Bool {
        func lex(_ s: String) -> [String] {
            var out: [String] = [], num = ""
            for c in s {
                if c.isNumber { num.append(c); continue }
                if !num.isEmpty { out.append(num); num = "" }
                out.append(String(c))
            }
            if !num.isEmpty { out.append(num) }
            return out
        }
        let b = lex(before), a = lex(after)
        for i in 0..<max(0, b.count - 2) {
            guard let x = Int(b[i]), let y = Int(b[i + 2]), ["+", "-", "*"].contains(b[i + 1]) else { continue }
            let v = String(b[i + 1] == "+" ? x + y : b[i + 1] == "-" ? x - y : x * y)
            if a == Array(b[..<i]) + [v] + Array(b[(i + 3)...]) { return true }
            if i > 0, i + 3 < b.count, b[i - 1] == "(", b[i + 3] == ")",
               a == Array(b[..<(i - 1)]) + [v] + Array(b[(i + 4)...]) { return true }
        }
        return false
    }

    /// Recursive-descent evaluator for + - * ( ) on non-negative integers.
    struct Mini {
        var chars: [Character]; var i = 0; var ops = 0
        static func parse(_ s: String) -> (value: Int, ops: Int)? {
            var p = Mini(chars: Array(s))
            guard let v = p.sum(), p.i == p.chars.count else { return nil }
            return (v, p.ops)
        }
        mutating func sum() -> Int? {
            guard var v = product() else { return nil }
            while i < chars.count, chars[i] == "+" || chars[i] == "-" {
                let op = chars[i]; i += 1; ops += 1
                guard let r = product() else { return nil }
                v = op == "+" ? v + r : v - r
            }
            return v
        }
        mutating func product() -> Int? {
            guard var v = atom() else { return nil }
            while i < chars.count, chars[i] == "*" {
                i += 1; ops += 1
                guard let r = atom() else { return nil }
                v *= r
            }
            return v
        }
        mutating func atom() -> Int? {
            guard i < chars.count else { return nil }
            if chars[i] == "(" {
                i += 1
                guard let v = sum(), i < chars.count, chars[i] == ")" else { return nil }
                i += 1
                return v
            }
            var s = ""
            while i < chars.count, chars[i].isNumber { s.append(chars[i]); i += 1 }
            return Int(s)
        }
    }
}
