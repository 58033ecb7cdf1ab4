public import OrganicPluginAPI
import Foundation

/// An order-2 word Markov chain over image captions, for synthetic prompts.
///
/// States are pairs of consecutive words (with start and end markers); the successors of a
/// state keep their corpus multiplicity, so frequent continuations are drawn more often. Built
/// once, immutable, and sampled only through the caller's random source, so a seeded
/// ``OrganicRandom`` always yields the same prompts.
public final class CaptionMarkovChain: Sendable {
    /// Word ids; 0 is the start marker, 1 the end marker.
    let words: [String]
    let successors: [UInt64: [Int32]]
    public let captionCount: Int

    static let start: Int32 = 0
    static let end: Int32 = 1

    /// Builds the chain from text with one caption per line; blank lines are skipped.
    public init(corpus: String) {
        var ids: [String: Int32] = ["<s>": Self.start, "</s>": Self.end]
        var words = ["<s>", "</s>"]
        var successors: [UInt64: [Int32]] = [:]
        var captions = 0
        for line in corpus.split(whereSeparator: \.isNewline) {
            let tokens = line.split(whereSeparator: \.isWhitespace)
            guard !tokens.isEmpty else { continue }
            captions += 1
            var a = Self.start, b = Self.start
            for token in tokens + [Substring("</s>")] {
                let word = String(token)
                let id: Int32
                if token == "</s>" {
                    id = Self.end
                } else if let known = ids[word] {
                    id = known
                } else {
                    id = Int32(words.count)
                    ids[word] = id
                    words.append(word)
                }
                successors[Self.key(a, b), default: []].append(id)
                a = b
                b = id
            }
        }
        self.words = words
        self.successors = successors
        captionCount = captions
    }

    /// The chain over the bundled corpus (6,000 captions written for this project), built once.
    public static func bundled() throws(CaptionCorpusError) -> CaptionMarkovChain { try bundledChain.get() }

    private static let bundledChain = Result { () throws(CaptionCorpusError) in CaptionMarkovChain(corpus: try BundledCaptions.text()) }

    /// Loads an operator's corpus file (UTF-8, one caption per line).
    public static func load(path: String) throws -> CaptionMarkovChain {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let chain = CaptionMarkovChain(corpus: text)
        guard chain.captionCount > 0 else { throw CaptionCorpusError("caption corpus \(path) has no captions") }
        return chain
    }

    static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }

    /// A walk of at most `maxWords` words (never empty unless the corpus is).
    public func sentence(using random: inout OrganicRandom, maxWords: Int) -> [String] {
        var out: [String] = []
        var a = Self.start, b = Self.start
        while out.count < maxWords, let next = successors[Self.key(a, b)], !next.isEmpty {
            let id = next[Int.random(in: 0..<next.count, using: &random)]
            if id == Self.end { break }
            out.append(words[Int(id)])
            a = b
            b = id
        }
        return out
    }

    /// A synthetic prompt: a walk of at most `maxWords` words, four random letters appended (so no
    /// two prompts repeat, as the subnet does) and the whole cut to `maxLength` characters.
    public func prompt(using random: inout OrganicRandom, maxWords: Int, maxLength: Int) -> String {
        let suffix = String((0..<4).map { _ in Character(Unicode.Scalar(UInt8.random(in: 97...122, using: &random))) })
        var text = sentence(using: &random, maxWords: max(maxWords, 1)).joined(separator: " ")
        let room = max(maxLength - suffix.count - 1, 0)
        if text.count > room {
            text = String(text.prefix(room))
            if let space = text.lastIndex(of: " ") { text = String(text[..<space]) }
        }
        let trimmed = text.trimmingCharacters(in: CharacterSet(charactersIn: " ,"))
        return trimmed.isEmpty ? String(suffix.prefix(max(maxLength, 1))) : trimmed + " " + suffix
    }
}
