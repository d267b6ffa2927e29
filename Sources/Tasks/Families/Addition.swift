import TensorCore

/// Multi-digit addition with the carries written out, one column per line, least significant first.
///
/// "A:478+56" → trace "8+6+0=14\n7+5+1=13\n4+0+1=05\n", answer "534". Each line is
/// a_i+b_i+c_i=xy where c_i is the incoming carry (0 in the first column, x of the line above after),
/// a missing digit of the shorter operand is 0, and the sum is always two digits (x = carry out).
public enum AdditionTask {
    public static func generate(_ d: AdditionDifficulty, rng: inout RNG) -> Example {
        let a = randomNumber(digits: rng.int(in: d.minDigits...d.maxDigits), rng: &rng)
        let b = randomNumber(digits: rng.int(in: d.minDigits...d.maxDigits), rng: &rng)
        return make(a, b)
    }

    /// The example for a+b (a, b >= 0).
    public static func make(_ a: Int, _ b: Int) -> Example {
        let da = digitsLSB(a), db = digitsLSB(b)
        var carry = 0, trace = ""
        for i in 0..<max(da.count, db.count) {
            let x = i < da.count ? da[i] : 0, y = i < db.count ? db[i] : 0
            let s = x + y + carry
            trace += "\(x)+\(y)+\(carry)=\(s / 10)\(s % 10)\n"
            carry = s / 10
        }
        return Example(prompt: "A:\(a)+\(b)", trace: trace, answer: String(a + b))
    }
}

/// Multiplication of a multi-digit number by one digit, one column per line with the carry.
///
/// "M:347*6" → trace "7*6+0=42\n4*6+4=28\n3*6+2=20\n", answer "2082".
public enum MultiplicationTask {
    public static func generate(_ d: MultiplicationDifficulty, rng: inout RNG) -> Example {
        let a = randomNumber(digits: rng.int(in: d.minDigits...d.maxDigits), rng: &rng)
        let m = rng.int(in: d.minMultiplier...d.maxMultiplier)
        return make(a, m)
    }

    /// The example for a*m (a >= 0, m a digit).
    public static func make(_ a: Int, _ m: Int) -> Example {
        precondition((0...9).contains(m), "multiplier must be one digit")
        var carry = 0, trace = ""
        for x in digitsLSB(a) {
            let p = x * m + carry
            trace += "\(x)*\(m)+\(carry)=\(p / 10)\(p % 10)\n"
            carry = p / 10
        }
        return Example(prompt: "M:\(a)*\(m)", trace: trace, answer: String(a * m))
    }
}

/// A uniform number with exactly `digits` digits (0-9 for one digit, no leading zero otherwise).
func randomNumber(digits: Int, rng: inout RNG) -> Int {
    if digits <= 1 { return rng.int(in: 0...9) }
    var lo = 1
    for _ in 1..<digits { lo *= 10 }
    return rng.int(in: lo...(lo * 10 - 1))
}

/// Decimal digits, least significant first ([0] for 0).
func digitsLSB(_ n: Int) -> [Int] {
    var n = n, out: [Int] = []
    repeat { out.append(n % 10); n /= 10 } while n > 0
    return out
}
