/// How often each miner was scored in the same round as each other miner, so that referees are
/// not drawn from answerers' usual partners (miners that keep turning up together may be one
/// operator's).
struct PartnerLedger: Sendable {
    private var meetings: [String: [String: Int]] = [:]
    /// Partners kept per miner before counts are halved (old meetings fade, frequent ones stay).
    static let maxPartnersKept = 128
    /// A partner is usual when met at least this often...
    static let minimumMeetings = 3
    /// ...and at least this many times as often as the miner's average partner.
    static let usualFactor = 3.0

    /// Records that `hotkeys` answered the same round.
    mutating func record(_ hotkeys: [String]) {
        for a in hotkeys {
            for b in hotkeys where b != a {
                meetings[a, default: [:]][b, default: 0] += 1
            }
            if let count = meetings[a]?.count, count > Self.maxPartnersKept {
                meetings[a] = meetings[a]?.compactMapValues { $0 / 2 > 0 ? $0 / 2 : nil }
            }
        }
    }

    /// Times `a` and `b` answered the same round (as far as the ledger remembers).
    func meetings(_ a: String, _ b: String) -> Int {
        meetings[a]?[b] ?? 0
    }

    /// The partners `hotkey` meets far more often than chance would have it.
    func usualPartners(of hotkey: String) -> Set<String> {
        guard let partners = meetings[hotkey], !partners.isEmpty else { return [] }
        let average = Double(partners.values.reduce(0, +)) / Double(partners.count)
        return Set(partners.filter { $0.value >= Self.minimumMeetings && Double($0.value) >= Self.usualFactor * average }.keys)
    }

    /// Drops miners no longer in the metagraph.
    mutating func keep(only hotkeys: Set<String>) {
        meetings = meetings.filter { hotkeys.contains($0.key) }
    }
}
