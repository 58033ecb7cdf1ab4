import PropertyBased
import Testing

@testable import OrganicFramework

@Suite("Tie-break judgement")
struct TieBreakJudgementTests {
    /// A yes/no similarity matrix from labels: answers with the same label agree.
    static func matrix(_ labels: [Int]) -> [[Double]] {
        labels.map { a in labels.map { b in a == b ? 1 : 0 } }
    }

    static func scores(_ judgement: TieBreakJudgement) -> [Double]? {
        guard case .decided(_, let rewards) = judgement else { return nil }
        return rewards.map(\.score)
    }

    @Test("an answer alone against two agreeing referees scores 0; the majority is not punished")
    func loneAgainstMajority() {
        // Answerers: honest (0), wrong (1); referees both honest.
        let judgement = TieBreakJudgement.judge(similarity: Self.matrix([0, 1, 0, 0]), threshold: 0.999, referees: [false, false, true, true])
        #expect(Self.scores(judgement) == [1, 0, 1, 1])
        if case .decided(let group, _) = judgement { #expect(group == [0, 2, 3]) }
    }

    @Test("identical wrong answers from both answerers lose to a majority of referees and score 0")
    func colludingPairLoses() {
        let labels = [7, 7, 0, 0]
        let judgement = TieBreakJudgement.judge(similarity: Self.matrix(labels), threshold: 0.5, referees: [false, false, true, true],
                                                identical: { labels[$0] == 7 && labels[$1] == 7 })
        #expect(Self.scores(judgement) == [0, 0, 1, 1])
        if case .decided(_, let rewards) = judgement { #expect(rewards[0].reason?.contains("outvoted") == true) }
    }

    @Test("two agreeing honest answers (not identical) are never outvoted by two referees alone")
    func honestPairNotOutvoted() {
        let judgement = TieBreakJudgement.judge(similarity: Self.matrix([0, 0, 5, 5]), threshold: 0.5, referees: [false, false, true, true],
                                                identical: { _, _ in false })
        #expect(Self.scores(judgement) == nil)
    }

    @Test("no majority is inconclusive: all different, or half the answers with half the referees")
    func noMajority() {
        #expect(Self.scores(TieBreakJudgement.judge(similarity: Self.matrix([0, 1, 2, 3]), threshold: 0.5,
                                                    referees: [false, false, true, true])) == nil)
        // Honest answerer and one honest referee against a wrong answerer and a wrong referee:
        // indistinguishable from two colluders with one of them refereeing.
        #expect(Self.scores(TieBreakJudgement.judge(similarity: Self.matrix([0, 1, 0, 2]), threshold: 0.5,
                                                    referees: [false, false, true, true])) == nil)
        #expect(Self.scores(TieBreakJudgement.judge(similarity: Self.matrix([0]), threshold: 0.5, referees: [false])) == nil)
    }

    @Test("a lone answer confirmed by one of two referees is a majority of three")
    func loneAnswerConfirmed() {
        let judgement = TieBreakJudgement.judge(similarity: Self.matrix([0, 0, 1]), threshold: 0.5, referees: [false, true, true])
        #expect(Self.scores(judgement) == [1, 1, 0])
    }

    @Test("graded similarities: outsiders keep their mean similarity to the group")
    func gradedOutsider() {
        let m: [[Double]] = [[1, 1, 1, 0.4], [1, 1, 1, 0.2], [1, 1, 1, 0.3], [0.4, 0.2, 0.3, 1]]
        let scores = Self.scores(TieBreakJudgement.judge(similarity: m, threshold: 0.9, referees: [false, false, true, true]))
        #expect(scores?.prefix(3).allSatisfy { $0 == 1 } == true)
        #expect(abs((scores?[3] ?? -1) - 0.3) < 1e-12)
    }

    @Test("decided rounds follow a majority clique; nobody outside it scores at the threshold")
    func invariants() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...3).array(of: 2...9), Gen.int(in: 0...3)) { labels, refereeCount in
            let n = labels.count
            let referees = (0..<n).map { $0 >= n - min(refereeCount, n) }
            let judgement = TieBreakJudgement.judge(similarity: Self.matrix(labels), threshold: 0.999, referees: referees)
            guard case .decided(let group, let rewards) = judgement else { return }
            #expect(rewards.count == n)
            #expect(group.count >= 2)
            #expect(Set(group.map { labels[$0] }).count == 1)
            let refsIn = group.filter { referees[$0] }.count
            #expect(2 * group.count > n || (2 * group.count == n && 2 * refsIn > referees.filter { $0 }.count))
            #expect(2 * group.count > n)  // without identical answers, exactly half never decides
            for i in 0..<n {
                #expect(rewards[i].score == (group.contains(i) ? 1 : 0))
            }
        }
    }
}
