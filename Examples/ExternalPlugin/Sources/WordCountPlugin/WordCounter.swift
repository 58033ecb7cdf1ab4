/// The definition of a word that every honest miner applies, so that their answers agree exactly.
///
/// A word is a maximal run of letters, digits and apostrophes (`'` or `’`), without apostrophes
/// at either end; words are compared in lower case.
public enum WordCounter {
    /// The words of `text`, in order, in lower case.
    public static func words(in text: String) -> [String] {
        var result: [String] = []
        for piece in text.split(whereSeparator: { !isWordCharacter($0) }) {
            var word = piece.drop(while: isApostrophe)
            while let last = word.last, isApostrophe(last) { word = word.dropLast() }
            if !word.isEmpty { result.append(word.lowercased()) }
        }
        return result
    }

    /// The honest answer to a request.
    public static func count(_ text: String, top: Int) -> WordCountResponse {
        let words = words(in: text)
        var counts: [String: Int] = [:]
        for word in words { counts[word, default: 0] += 1 }
        let ranked = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        return WordCountResponse(
            words: words.count, uniqueWords: counts.count,
            top: ranked.prefix(max(top, 0)).map { WordFrequency(word: $0.key, count: $0.value) })
    }

    static func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || isApostrophe(c) }

    static func isApostrophe(_ c: Character) -> Bool { c == "'" || c == "\u{2019}" }
}
