/// The task families and their difficulty knobs (the config under `tasks:` of a data config).
public enum TaskFamily: String, Codable, Sendable, CaseIterable {
    /// Multi-digit addition, one column per line with the carry written out: "7+5+0=12".
    case addition = "add"
    /// Multi-digit number times one digit, one column per line with the carry: "7*6+4=46".
    case multiplication = "mul"
    /// Arithmetic expression (+ - * and parentheses) reduced one operation per line.
    case expression = "expr"

    /// The prompt's tag character (prompts read "A:47+85", "M:347*6", "E:(3+4)*2-5").
    public var tag: Character {
        switch self {
        case .addition: return "A"
        case .multiplication: return "M"
        case .expression: return "E"
        }
    }

    /// The family a prompt belongs to (by its tag), nil for other prompts (user data).
    public static func of(prompt: String) -> TaskFamily? {
        guard prompt.count >= 2, Array(prompt.prefix(2))[1] == ":" else { return nil }
        return allCases.first { $0.tag == prompt.first }
    }
}

/// Difficulty of multi-digit addition a+b.
public struct AdditionDifficulty: Codable, Sendable, Equatable {
    /// Fewest digits of each operand (1: single-digit facts are part of the training range).
    public var minDigits: Int = 1
    /// Most digits of each operand (3: sequence ≈ 45 tokens, inside the tiny preset's 64).
    public var maxDigits: Int = 3

    public init(minDigits: Int = 1, maxDigits: Int = 3) { self.minDigits = minDigits; self.maxDigits = maxDigits }
    enum CodingKeys: String, CodingKey { case minDigits = "min_digits", maxDigits = "max_digits" }
}

/// Difficulty of multiplication of a multi-digit number by one digit.
public struct MultiplicationDifficulty: Codable, Sendable, Equatable {
    /// Fewest digits of the multiplicand.
    public var minDigits: Int = 1
    /// Most digits of the multiplicand (3: ≈ 42 tokens per sequence).
    public var maxDigits: Int = 3
    /// Smallest one-digit multiplier (2: ×0 and ×1 teach nothing).
    public var minMultiplier: Int = 2
    /// Largest one-digit multiplier (9).
    public var maxMultiplier: Int = 9

    public init(minDigits: Int = 1, maxDigits: Int = 3, minMultiplier: Int = 2, maxMultiplier: Int = 9) {
        self.minDigits = minDigits; self.maxDigits = maxDigits; self.minMultiplier = minMultiplier; self.maxMultiplier = maxMultiplier
    }
    enum CodingKeys: String, CodingKey {
        case minDigits = "min_digits", maxDigits = "max_digits", minMultiplier = "min_multiplier", maxMultiplier = "max_multiplier"
    }
}

/// Difficulty of expression reduction.
public struct ExpressionDifficulty: Codable, Sendable, Equatable {
    /// Fewest operations (1).
    public var minSteps: Int = 1
    /// Most operations (2: at most two reduction lines before the value).
    public var maxSteps: Int = 2
    /// Largest operand; operands are 0...max_operand (9: single digits).
    public var maxOperand: Int = 9
    /// Every intermediate value must lie in 0...max_value (99: no negative numbers, short lines).
    public var maxValue: Int = 99

    public init(minSteps: Int = 1, maxSteps: Int = 2, maxOperand: Int = 9, maxValue: Int = 99) {
        self.minSteps = minSteps; self.maxSteps = maxSteps; self.maxOperand = maxOperand; self.maxValue = maxValue
    }
    enum CodingKeys: String, CodingKey {
        case minSteps = "min_steps", maxSteps = "max_steps", maxOperand = "max_operand", maxValue = "max_value"
    }
}

/// Which families a set draws from and how hard each is.
public struct TaskDifficulty: Codable, Sendable, Equatable {
    /// Families to draw from, uniformly per example ("add", "mul", "expr").
    public var families: [String] = ["add", "mul", "expr"]
    /// Addition knobs.
    public var addition = AdditionDifficulty()
    /// Multiplication knobs.
    public var multiplication = MultiplicationDifficulty()
    /// Expression knobs.
    public var expression = ExpressionDifficulty()

    public init(families: [String] = ["add", "mul", "expr"], addition: AdditionDifficulty = .init(),
                multiplication: MultiplicationDifficulty = .init(), expression: ExpressionDifficulty = .init()) {
        self.families = families; self.addition = addition; self.multiplication = multiplication; self.expression = expression
    }

    /// The families as enum values; throws on an unknown name or an empty list.
    public func resolvedFamilies(source: String = "tasks") throws -> [TaskFamily] {
        guard !families.isEmpty else {
            throw ConfigErrorShim.invalid(source, "families", "the family list is empty", "list at least one of add, mul, expr")
        }
        return try families.map { name in
            guard let f = TaskFamily(rawValue: name) else {
                throw ConfigErrorShim.invalid(source, "families", "unknown task family '\(name)'", "use add, mul or expr")
            }
            return f
        }
    }

    /// Checks every range; throws naming the bad key.
    public func validate(source: String = "tasks") throws {
        _ = try resolvedFamilies(source: source)
        func check(_ ok: Bool, _ key: String, _ what: String) throws {
            if !ok { throw ConfigErrorShim.invalid(source, key, what, "fix the range") }
        }
        try check(addition.minDigits >= 1 && addition.minDigits <= addition.maxDigits && addition.maxDigits <= 15,
                  "addition", "need 1 <= min_digits <= max_digits <= 15")
        try check(multiplication.minDigits >= 1 && multiplication.minDigits <= multiplication.maxDigits && multiplication.maxDigits <= 15,
                  "multiplication", "need 1 <= min_digits <= max_digits <= 15")
        try check(multiplication.minMultiplier >= 0 && multiplication.minMultiplier <= multiplication.maxMultiplier && multiplication.maxMultiplier <= 9,
                  "multiplication", "need 0 <= min_multiplier <= max_multiplier <= 9")
        try check(expression.minSteps >= 1 && expression.minSteps <= expression.maxSteps && expression.maxSteps <= 8,
                  "expression", "need 1 <= min_steps <= max_steps <= 8")
        try check(expression.maxOperand >= 1 && expression.maxOperand <= expression.maxValue && expression.maxValue <= 1_000_000,
                  "expression", "need 1 <= max_operand <= max_value <= 1000000")
    }
}
