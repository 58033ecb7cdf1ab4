/// What of a streamed answer has been written: the body bytes after each write and the chunks
/// delivered by then, so that a caller is charged only for chunks whose bytes the socket took.
struct StreamProgress: Sendable {
    private var marks: [(bytes: Int, chunks: Int)] = []
    private var total = 0

    mutating func wrote(_ bytes: Int, chunks: Int) {
        total += bytes
        marks.append((total, chunks))
    }

    /// The chunks the caller received, in order: all of `delivered` (the batches written, kept
    /// as they came so that relaying never copies a chunk) without a report (nothing to check
    /// against), otherwise those whose writes the socket took whole.
    func reached<Chunk>(_ delivered: [[Chunk]], report: FlushReport?) -> [Chunk] {
        let count = report.map { report in marks.last { $0.bytes <= report.bodyBytes }?.chunks ?? 0 } ?? .max
        var chunks: [Chunk] = []
        for batch in delivered where chunks.count < count {
            chunks += batch.prefix(count - chunks.count)
        }
        return chunks
    }
}
