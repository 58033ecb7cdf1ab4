/// The n-gram counts of one order, grouped by context.
///
/// An n-gram is packed into a `UInt64` as its context tokens then its last token, 16 bits each
/// (so at most four tokens and 65,536 ids). Contexts and their successors are kept in sorted
/// flat arrays: a lookup is one hash probe, a successor one binary search.
struct NGramCounts: Sendable {
    /// Context key to context index.
    private let contexts: [UInt64: Int32]
    /// Successors of context `c` are `successors[start[c]..<start[c + 1]]`, sorted by id.
    let start: [Int32]
    let total: [Int32]
    let successors: [Int32]
    let counts: [Int32]

    static let bitsPerToken: UInt64 = 16

    /// The key of a context (oldest token first) or of a whole n-gram.
    static func key(_ tokens: some Sequence<Int>) -> UInt64 {
        tokens.reduce(0) { $0 << bitsPerToken | UInt64($1) }
    }

    /// Counts packed n-grams, each `key(context + [token])`.
    init(ngrams: [UInt64]) {
        let sorted = ngrams.sorted()
        let mask: UInt64 = 1 << Self.bitsPerToken - 1
        var contexts: [UInt64: Int32] = [:]
        var start: [Int32] = [], total: [Int32] = [], successors: [Int32] = [], counts: [Int32] = []
        var i = 0
        while i < sorted.count {
            var j = i + 1
            while j < sorted.count && sorted[j] == sorted[i] { j += 1 }
            let context = sorted[i] >> Self.bitsPerToken
            if i == 0 || sorted[i - 1] >> Self.bitsPerToken != context {
                contexts[context] = Int32(start.count)
                start.append(Int32(successors.count))
                total.append(0)
            }
            successors.append(Int32(sorted[i] & mask))
            counts.append(Int32(j - i))
            total[total.count - 1] += Int32(j - i)
            i = j
        }
        start.append(Int32(successors.count))
        self.contexts = contexts
        self.start = start
        self.total = total
        self.successors = successors
        self.counts = counts
    }

    func context(_ key: UInt64) -> Int? { contexts[key].map(Int.init) }

    /// Successor range of context `c`.
    func range(_ c: Int) -> Range<Int> { Int(start[c])..<Int(start[c + 1]) }

    /// The count of `token` after context `c` (0 if never seen).
    func count(of token: Int, context c: Int) -> Int {
        var low = Int(start[c]), high = Int(start[c + 1])
        let target = Int32(token)
        while low < high {
            let mid = (low + high) / 2
            if successors[mid] < target { low = mid + 1 } else { high = mid }
        }
        return low < Int(start[c + 1]) && successors[low] == target ? Int(counts[low]) : 0
    }
}
