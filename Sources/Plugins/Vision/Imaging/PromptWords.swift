/// Splits prompts into normalised words for the procedural generator.
///
/// Works on UTF-8 bytes with ASCII-only lowercasing so the result never
/// depends on the Unicode tables of a particular Swift runtime. Casing,
/// punctuation and repeated words therefore do not change the image, while
/// any change of actual words does.
enum PromptWords {
    /// Filler words that would otherwise each spawn a shape.
    static let stopWords: Set<[UInt8]> = Set(
        ["a", "an", "the", "of", "and", "or", "with", "in", "on", "at", "to", "by", "for", "from", "is", "it"]
            .map { Array($0.utf8) })

    /// Unique words in first-seen order, minus stop words.
    static func words(in text: String) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        var current: [UInt8] = []

        func flush() {
            if !current.isEmpty, !stopWords.contains(current), seen.insert(current).inserted {
                result.append(current)
            }
            current.removeAll(keepingCapacity: true)
        }

        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                current.append(byte + 32)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), 0x80...:
                current.append(byte)
            default:
                flush()
            }
        }
        flush()
        return result
    }

    /// Prompt words that are not negated by the negative prompt
    /// ("a red cat" with negative "red" draws only the cat).
    static func words(in prompt: String, excluding negativePrompt: String) -> [[UInt8]] {
        let negated = Set(words(in: negativePrompt))
        return words(in: prompt).filter { !negated.contains($0) }
    }
}
