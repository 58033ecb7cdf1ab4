/// `POST /v1/word-count` request.
public struct WordCountRequest: Codable, Sendable, Hashable {
    /// The text whose words are counted.
    public var text: String
    /// How many of the most frequent words to list; 0 lists none.
    public var top: Int

    public init(text: String, top: Int = 5) {
        self.text = text
        self.top = top
    }

    enum CodingKeys: String, CodingKey { case text, top }

    // `top` is optional for callers.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        text = try c.decode(String.self, forKey: .text)
        top = try c.decodeIfPresent(Int.self, forKey: .top) ?? 5
    }
}

/// One word and how often it occurs.
public struct WordFrequency: Codable, Sendable, Hashable {
    public var word: String
    public var count: Int

    public init(word: String, count: Int) {
        self.word = word
        self.count = count
    }
}

/// `POST /v1/word-count` response.
public struct WordCountResponse: Codable, Sendable, Hashable {
    /// Number of words in the text.
    public var words: Int
    /// Number of distinct words (compared in lower case).
    public var uniqueWords: Int
    /// The most frequent words, most frequent first; ties in alphabetical order.
    public var top: [WordFrequency]

    public init(words: Int, uniqueWords: Int, top: [WordFrequency]) {
        self.words = words
        self.uniqueWords = uniqueWords
        self.top = top
    }

    enum CodingKeys: String, CodingKey {
        case words, top
        case uniqueWords = "unique_words"
    }
}
