/// Scores the answers of a round joined by referees: each answer by its agreement with the
/// largest agreeing group.
///
/// Two answers agree when their similarity reaches the endpoint's threshold. A group is a set of
/// answers that all agree with each other (a maximal clique of the agreement graph); its voices
/// are its answers, with identical copies counted once when the endpoint says honest answers
/// always differ (``AnswerAgreement/identicalAnswersAreCopies``). The group with the most voices
/// decides the round when it has at least two and is a majority: more than half of all voices, or
/// exactly half when it holds more than half of the referees' answers and the other half holds
/// identical answers (referees are the validator's own random draw, so two answerers returning
/// the same wrong answer lose to a majority of referees). Among groups with as many voices, the
/// one holding the most referees counts. Otherwise there is no majority and the round is
/// inconclusive: nobody's valid answer is scored.
///
/// Members of the group score their mean similarity to the other members (1 with a yes/no
/// similarity). An answer outside it scores its mean similarity to the group's members, except
/// that an answer agreeing with another answer outside the group (a rival group) scores 0: two
/// identical wrong answers outvoted by referees get nothing.
enum TieBreakJudgement: Equatable, Sendable {
    case decided(group: [Int], rewards: [MinerReward])
    case noMajority(String)

    /// `similarity[i][j]` for every pair (symmetric, in [0, 1]); `referees` marks the referees'
    /// answers; `identical(i, j)` says whether two answers are exactly the same; `copiesCountOnce`
    /// collapses identical answers into one voice.
    static func judge(similarity: [[Double]], threshold: Double, referees: [Bool], identical: (Int, Int) -> Bool = { _, _ in false },
                      copiesCountOnce: Bool = false) -> TieBreakJudgement {
        let n = similarity.count
        guard n >= 2, n <= 64, referees.count == n else { return .noMajority("fewer than two answers to compare") }
        var neighbours = [UInt64](repeating: 0, count: n)
        for i in 0..<n {
            for j in 0..<n where j != i && similarity[i][j] >= threshold {
                neighbours[i] |= 1 << UInt64(j)
            }
        }
        func members(_ set: UInt64) -> [Int] { (0..<n).filter { set & (1 << UInt64($0)) != 0 } }
        /// Answers in `set`, identical copies counted once when asked to.
        func voices(_ set: UInt64) -> Int {
            let list = members(set)
            guard copiesCountOnce else { return list.count }
            return list.enumerated().filter { k, i in !list.prefix(k).contains { identical($0, i) } }.count
        }
        func refereeCount(_ set: UInt64) -> Int { members(set).filter { referees[$0] }.count }
        let all: UInt64 = n >= 64 ? .max : (1 << UInt64(n)) - 1
        let cliques = maximalCliques(neighbours: neighbours, count: n)
        let strongest = cliques.map(voices).max() ?? 0
        guard strongest >= 2 else { return .noMajority("no two distinct answers agree") }
        let leading = cliques.filter { voices($0) == strongest }
        let most = leading.map(refereeCount).max() ?? 0
        let leaders = leading.filter { refereeCount($0) == most }
        guard leaders.count == 1, let winner = leaders.first else {
            return .noMajority("\(leaders.count) groups of \(strongest) agreeing answers tie")
        }
        let total = voices(all)
        let rest = members(all & ~winner)
        let copiedRest = rest.contains { i in rest.contains { j in j != i && neighbours[i] & (1 << UInt64(j)) != 0 && identical(i, j) } }
        let refereeTotal = referees.filter { $0 }.count
        guard 2 * strongest > total || (2 * strongest == total && 2 * refereeCount(winner) > refereeTotal && copiedRest) else {
            return .noMajority("the largest agreeing group holds \(strongest) of \(total) answers")
        }
        let group = members(winner)
        var rewards: [MinerReward] = []
        for i in 0..<n {
            let others = group.filter { $0 != i }
            let mean = others.map { similarity[i][$0] }.reduce(0, +) / Double(max(others.count, 1))
            if winner & (1 << UInt64(i)) != 0 {
                rewards.append(MinerReward(score: mean, reason: "in the agreeing group of \(group.count)"))
            } else if neighbours[i] & ~winner != 0 {
                rewards.append(MinerReward(score: 0, reason: "agrees only with answers outvoted by the agreeing group of \(group.count)"))
            } else {
                rewards.append(MinerReward(score: mean, reason: "disagrees with the agreeing group of \(group.count)"))
            }
        }
        return .decided(group: group, rewards: rewards)
    }

    /// Every maximal clique of the agreement graph with at least two members, as bit sets
    /// (Bron–Kerbosch with pivoting; rounds hold at most a few tens of answers).
    static func maximalCliques(neighbours: [UInt64], count n: Int) -> [UInt64] {
        var found: [UInt64] = []
        func expand(_ r: UInt64, _ p: UInt64, _ x: UInt64) {
            if p == 0 && x == 0 {
                if r.nonzeroBitCount >= 2 { found.append(r) }
                return
            }
            let pivot = (p | x).trailingZeroBitCount
            var candidates = p & ~neighbours[pivot]
            var p = p, x = x
            while candidates != 0 {
                let v = candidates.trailingZeroBitCount
                let bit: UInt64 = 1 << UInt64(v)
                candidates &= ~bit
                expand(r | bit, p & neighbours[v], x & neighbours[v])
                p &= ~bit
                x |= bit
            }
        }
        let all: UInt64 = n >= 64 ? .max : (1 << UInt64(n)) - 1
        expand(0, all, 0)
        return found
    }
}
