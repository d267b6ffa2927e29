/// Character-level tokenizer over the fixed alphabet every task, dataset and model of the testbed shares.
///
/// Token ids (vocabulary size 32, the `tiny`/`small` GPT presets' V):
/// ```
///  0 PAD   1 BOS   2 EOS   3 '#' answer marker
///  4..13  '0'...'9'
/// 14 '+'  15 '-'  16 '*'  17 '/'  18 '%'  19 '('  20 ')'  21 '='  22 ','  23 ':'  24 ' '  25 '\n'
/// 26 'A' (addition tag)  27 'E' (expression tag)  28 'M' (multiplication tag)
/// 29 'R'  30 'S' (reserved task tags for user data)  31 '.'
/// ```
/// PAD, BOS and EOS have no character: they never appear in text. The answer marker is written '#'
/// in text (JSONL, corpora), so `encode("A:1+2\n#3")` ends with the marker token and the digit 3.
public struct Tokenizer: Sendable, Equatable {
    /// The characters of token ids `firstCharacterId...`, in id order.
    public let characters: [Character]
    public static let pad: Int32 = 0
    public static let bos: Int32 = 1
    public static let eos: Int32 = 2
    public static let answerMarker: Int32 = 3
    /// The character that stands for the answer marker in text.
    public static let answerMarkerCharacter: Character = "#"

    /// The project's tokenizer (vocabulary 32).
    public static let standard = Tokenizer(characters: Array("#0123456789+-*/%()=,: \nAEMRS."))

    private let ids: [Character: Int32]

    init(characters: [Character]) {
        // id 3 is '#', the answer marker; ids 0-2 are the specials without a character.
        self.characters = characters
        var map: [Character: Int32] = [:]
        for (i, c) in characters.enumerated() { map[c] = Int32(i + 3) }
        ids = map
    }

    public static func == (a: Tokenizer, b: Tokenizer) -> Bool { a.characters == b.characters }

    /// Number of token ids (specials included): the model's vocabulary size V must be at least this.
    public var vocabSize: Int { characters.count + 3 }

    /// The alphabet as one string (the characters text may contain), for documentation and errors.
    public var alphabet: String { String(characters) }

    /// An unknown character in text given to `encode`.
    public struct UnknownCharacter: Error, CustomStringConvertible, Equatable {
        /// The offending character.
        public let character: Character
        /// 0-based character offset in the encoded text.
        public let position: Int
        /// What the text was (e.g. "prompt of line 3"), for the message.
        public let context: String
        public var description: String {
            let shown = character.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "U+" + String($0.value, radix: 16, uppercase: true) : String($0) }.joined()
            return "\(context.isEmpty ? "text" : context): character '\(shown)' at position \(position) is not in the tokenizer's alphabet. Fix: use only these characters: digits, + - * / % ( ) = , : . space, newline, A E M R S and '#' (answer marker)"
        }
    }

    /// Token id of one character, nil when outside the alphabet.
    public func id(of c: Character) -> Int32? { ids[c] }

    /// Encodes text character by character; throws `UnknownCharacter` naming the first bad character and its position.
    public func encode(_ text: String, context: String = "") throws -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(text.count)
        for (i, c) in text.enumerated() {
            guard let id = ids[c] else { throw UnknownCharacter(character: c, position: i, context: context) }
            out.append(id)
        }
        return out
    }

    /// Every character of the text outside the alphabet with its position (for import reports).
    public func unknownCharacters(in text: String) -> [(position: Int, character: Character)] {
        text.enumerated().compactMap { ids[$0.element] == nil ? ($0.offset, $0.element) : nil }
    }

    /// Decodes ids to text: the marker becomes '#', BOS/EOS/PAD are written as «BOS» «EOS» «PAD», other ids as «?n».
    public func decode(_ tokens: [Int32]) -> String {
        var s = ""
        for t in tokens {
            switch t {
            case Tokenizer.pad: s += "«PAD»"
            case Tokenizer.bos: s += "«BOS»"
            case Tokenizer.eos: s += "«EOS»"
            case 3..<Int32(vocabSize): s.append(characters[Int(t) - 3])
            default: s += "«?\(t)»"
            }
        }
        return s
    }

    /// The character of a token id, nil for specials (other than the marker) and out-of-range ids.
    public func character(of token: Int32) -> Character? {
        guard token >= 3, token < Int32(vocabSize) else { return nil }
        return characters[Int(token) - 3]
    }
}
