import PropertyBased
import Testing
@testable import TextGenerationPlugin

@Suite("Tokenizer")
struct TokenizerTests {
    let tokenizer: Tokenizer

    init() throws { tokenizer = try NGramLanguageModel.bundled().tokenizer }

    @Test("any sequence of vocabulary tokens decodes and re-encodes to the same text")
    func roundTrip() async {
        let size = tokenizer.vocabularySize
        await propertyCheck(input: Gen.int(in: 1...(size - 1)).array(of: 0...40)) { ids in
            let text = ids.map(tokenizer.text(of:)).joined()
            let encoded = tokenizer.encode(text)
            #expect(tokenizer.decode(encoded) == text)
            #expect(!encoded.contains(Tokenizer.endOfText))
        }
    }

    @Test("ASCII text outside the vocabulary round-trips through the character fallback")
    func asciiFallback() async {
        // Mostly printable ASCII, sometimes line breaks and tabs.
        let ascii = Gen.int(in: 0...99).map { n -> Character in
            n < 95 ? Character(Unicode.Scalar(UInt8(0x20 + n))) : ["\n", "\t", "\r\n", "\r", " "][n - 95]
        }
        await propertyCheck(input: ascii.string(of: 0...60)) { text in
            #expect(tokenizer.decode(tokenizer.encode(text)) == text)
        }
        let space = tokenizer.id(ofToken: " "), letters = "zxqv".map { tokenizer.id(ofToken: String($0)) }
        #expect(tokenizer.encode(" zxqv").map(Optional.init) == [space] + letters)
    }

    @Test("words carry their leading space; punctuation stands alone")
    func pieces() throws {
        let ids = tokenizer.encode(" A red fox, sleeping.")
        #expect(ids.map(tokenizer.text(of:)) == [" A", " red", " fox", ",", " sleeping", "."])
        #expect(TextPieces.split("a  b\n c,d") == ["a", " ", " b", "\n", " c", ",", "d"])
    }

    @Test("characters outside the vocabulary become U+FFFD, byte for byte")
    func unknown() {
        #expect(tokenizer.decode(tokenizer.encode("caf\u{E9} \u{2615}")) == "caf\u{FFFD} \u{FFFD}")
        #expect(tokenizer.encode("\u{2615}") == [Tokenizer.unknown])
        // Kelvin sign is canonically equal to "K" as a Swift String, but it is not that token.
        #expect(tokenizer.id(ofToken: "\u{212A}") == nil)
        #expect(tokenizer.id(ofToken: "K") != nil)
        #expect(tokenizer.decode(tokenizer.encode("\u{212A}")).unicodeScalars.elementsEqual("\u{FFFD}".unicodeScalars))
    }

    @Test("end-of-text is never read from text and never written")
    func specialTokens() {
        #expect(!tokenizer.encode("<|endoftext|>").contains(Tokenizer.endOfText))
        #expect(tokenizer.id(ofToken: Tokenizer.endOfTextText) == nil)
        #expect(tokenizer.decode([Tokenizer.endOfText]).isEmpty)
    }

    @Test("ids are stable: specials first, then the rest in UTF-8 byte order, the same on every build")
    func stableVocabulary() {
        let pieces = tokenizer.pieces
        #expect(pieces[Tokenizer.endOfText] == Tokenizer.endOfTextText && pieces[Tokenizer.unknown] == Tokenizer.unknownText)
        for i in 3..<pieces.count { #expect(pieces[i - 1].utf8.lexicographicallyPrecedes(pieces[i].utf8)) }
        // Miners and validators must agree on ids: these change only if the corpus or the rules do.
        #expect(pieces.count == 382)
        #expect([" A", ",", "\n", " lighthouse"].map { tokenizer.id(ofToken: $0) } == [7, 296, 3, 146])
    }
}
