/// Word-level tokens with a character fallback, GPT style: a word token carries its leading space
/// (" lighthouse"), punctuation marks are tokens of their own (","), so decoding is concatenation.
///
/// The vocabulary is the two special tokens, then every printable ASCII character plus tab, line
/// feed and carriage return (the fallback that lets any ASCII text round-trip), then the pieces of
/// the training text, the whole sorted by UTF-8 bytes so ids are the same on every machine.
/// Encoding looks each ``TextPieces`` piece up; an unknown " word" becomes a space and the bare
/// word, an unknown bare word its characters. A character outside the fallback set (any non-ASCII
/// scalar, control characters) becomes ``unknown``, whose text is U+FFFD, so
/// `decode(encode(s))` is `s` with those characters replaced by U+FFFD.
struct Tokenizer: Sendable {
    /// Ends a reply; never produced by encoding and left out by decoding.
    static let endOfText = 0
    /// Stands for a character outside the vocabulary; its text is U+FFFD.
    static let unknown = 1

    static let endOfTextText = "<|endoftext|>"
    static let unknownText = "\u{FFFD}"

    /// Token texts by id.
    let pieces: [String]
    private let ids: [String: Int]

    /// Builds the vocabulary from the pieces of `text`.
    init(trainingText text: some Sequence<String>) {
        var set = Set<String>()
        for scalar in Self.fallbackScalars { set.insert(String(scalar)) }
        for line in text {
            for piece in TextPieces.split(line) { set.insert(String(piece)) }
        }
        set.remove(Self.unknownText)
        let sorted = set.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        pieces = [Self.endOfTextText, Self.unknownText] + sorted
        var ids: [String: Int] = [:]
        for (id, piece) in pieces.enumerated() where id != Self.endOfText { ids[piece] = id }
        self.ids = ids
    }

    /// Tab, line feed, carriage return and printable ASCII.
    static let fallbackScalars: [Unicode.Scalar] = [0x09, 0x0A, 0x0D].compactMap(Unicode.Scalar.init)
        + (0x20...0x7E).compactMap(Unicode.Scalar.init)

    var vocabularySize: Int { pieces.count }

    /// The id of a token given by its exact text (nil if none); the end-of-text token has no text.
    func id(ofToken text: String) -> Int? { lookup(Substring(text)) }

    /// Byte-exact: Swift strings compare by canonical equivalence, so "\u{212A}" would find "K".
    private func lookup(_ piece: Substring) -> Int? {
        guard let id = ids[String(piece)], pieces[id].utf8.elementsEqual(piece.utf8) else { return nil }
        return id
    }

    func encode(_ text: String) -> [Int] {
        var out: [Int] = []
        for piece in TextPieces.split(text) { append(piece, to: &out) }
        return out
    }

    private func append(_ piece: Substring, to out: inout [Int]) {
        if let id = lookup(piece) {
            out.append(id)
        } else if piece.unicodeScalars.count > 1, piece.unicodeScalars.first == " ", let space = lookup(" ") {
            out.append(space)
            append(Substring(piece.unicodeScalars.dropFirst()), to: &out)
        } else {
            for scalar in piece.unicodeScalars { out.append(lookup(Substring(String(scalar))) ?? Self.unknown) }
        }
    }

    /// Concatenated token texts; special tokens are skipped.
    func decode(_ tokens: some Sequence<Int>) -> String {
        var text = ""
        for token in tokens where token != Self.endOfText { text += pieces[token] }
        return text
    }

    func text(of token: Int) -> String { pieces[token] }
}
