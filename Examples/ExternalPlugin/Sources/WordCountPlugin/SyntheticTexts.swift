import OrganicPluginAPI

/// Random texts for synthetic scoring: sentences over a small vocabulary, so that words repeat
/// and the top lists have ties, with the capitals, punctuation, apostrophes and digits that the
/// word definition has to handle.
enum SyntheticTexts {
    static let vocabulary = [
        "the", "a", "river", "market", "lantern", "quiet", "and", "of", "north", "bread", "it's", "don't",
        "we", "saw", "seven", "42", "boats", "under", "rain", "o'clock", "stone", "bridge", "blue", "to",
        "harbour", "wind", "slowly", "night", "café", "over", "three", "gulls",
    ]
    static let endings = [".", ".", "!", "?", ";", " —", ","]

    /// One to four sentences, at most `maxLength` characters.
    static func text(using random: inout OrganicRandom, maxLength: Int) -> String {
        var sentences: [String] = []
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            var words: [String] = []
            for _ in 0..<Int.random(in: 3...14, using: &random) {
                // The smaller of two draws favours early words, so some words repeat often.
                let index = min(Int.random(in: 0..<vocabulary.count, using: &random), Int.random(in: 0..<vocabulary.count, using: &random))
                words.append(vocabulary[index])
            }
            if Bool.random(using: &random) { words[0] = words[0].prefix(1).uppercased() + words[0].dropFirst() }
            if Int.random(in: 0..<5, using: &random) == 0 { words[words.count / 2] = "'" + words[words.count / 2] + "'" }
            sentences.append(words.joined(separator: " ") + (endings.randomElement(using: &random) ?? "."))
        }
        return String(sentences.joined(separator: " ").prefix(maxLength))
    }
}
