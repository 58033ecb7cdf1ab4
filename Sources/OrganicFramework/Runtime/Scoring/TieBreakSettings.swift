/// When and how widely a consensus round whose answers disagree is refereed
/// (`scoring.maxReferees`, `scoring.refereeAuditProbability`).
package struct TieBreakSettings: Sendable, Hashable {
    /// Most referees asked per round; 0 turns tie-breaks off.
    package var maxReferees: Int
    /// Chance that a round whose answers agree is refereed anyway, so that two colluding miners
    /// that happen to be paired cannot count on agreeing with each other.
    package var auditProbability: Double

    package init(maxReferees: Int = 2, auditProbability: Double = 0.05) {
        self.maxReferees = maxReferees
        self.auditProbability = auditProbability
    }

    /// Tie-breaks off: rounds are scored by the plugin's reward alone, as before tie-breaks existed.
    package static let off = TieBreakSettings(maxReferees: 0, auditProbability: 0)
}
