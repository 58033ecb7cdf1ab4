import OrganicPluginAPI

/// Turns a caption corpus into the replies the model learns from: runs of one to six consecutive
/// captions, each capitalised and ended with a full stop, so replies have a few sentences and the
/// model learns when to stop. The run lengths come from a fixed seed, so the replies, and hence
/// the model, are the same everywhere.
enum TrainingReplies {
    static let maxSentences = 6
    static let seed: UInt64 = 0x4F52_4741_4E49_43  // "ORGANIC"

    /// Each reply with its leading space, as it follows ``ChatPrompt/replyHeader``.
    static func make(corpus: String) -> [String] {
        let captions = corpus.split(whereSeparator: \.isNewline)
            .map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
            .filter { !$0.isEmpty }
        var random = OrganicRandom(seed: seed)
        var replies: [String] = []
        var i = 0
        while i < captions.count {
            let count = Int(random.next() % UInt64(maxSentences)) + 1
            let run = captions[i..<min(i + count, captions.count)]
            replies.append(run.map { " " + sentence($0) }.joined())
            i += count
        }
        return replies
    }

    static func sentence(_ caption: String) -> String {
        caption.prefix(1).uppercased() + caption.dropFirst() + "."
    }
}
