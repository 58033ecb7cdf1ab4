import Foundation

extension QueryRound {
    /// What refereeing a round produced.
    struct Referral: Sendable {
        enum Outcome: Sendable {
            /// Every valid answer (answerers' and referees') with its reward, before the speed factor.
            case scored([(answer: MinerAnswer<E.MinerResponse>, reward: MinerReward)])
            case inconclusive(String)
            case discarded(String)
            /// No referee could be asked: the plugin's reward judges the round as usual.
            case notDecided
        }

        var referees: [Attempt]
        var summary: TieBreakSummary
        var outcome: Outcome
    }

    /// Asks referees when the endpoint compares answers (``Endpoint/agreement(for:)``) and the
    /// answers disagree, or only one miner answered validly, or the round is audited at random;
    /// nil when the round needs none. Runs after the caller has been answered, so it never
    /// delays one; referees come from free capacity at synthetic priority.
    func referee(_ attempts: [Attempt]) async -> Referral? {
        let settings = dispatcher.settings.tieBreaks
        let descriptor = route.descriptor
        guard settings.maxReferees > 0, descriptor.rewardMode == .consensus, let agreement = route.endpoint.agreement(for: request) else {
            return nil
        }
        let answers = Self.answers(in: attempts)
        guard !answers.isEmpty else { return nil }
        var matrix: [[Double]] = [[1]]
        if answers.count > 1 {
            // Comparing answers may be costly (images): bounded like a reward function.
            let compared = await dispatcher.rewards.bounded(endpoint: descriptor.name, timeout: descriptor.scoringTimeout) {
                var matrix = [[Double]](repeating: [Double](repeating: 1, count: answers.count), count: answers.count)
                for i in answers.indices {
                    for j in answers.indices where j > i {
                        let s = agreement.score(answers[i].response, answers[j].response)
                        matrix[i][j] = s
                        matrix[j][i] = s
                    }
                }
                return matrix
            }
            // When the comparison cannot run, the plugin's reward judges the round as usual.
            guard case .done(let values) = compared else { return nil }
            matrix = values
        }
        let disagree = matrix.contains { row in row.contains { $0 < agreement.threshold } }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let cause: TieBreakSummary.Cause
        if answers.count == 1 {
            guard attempts.count >= 2 else { return nil }
            cause = .loneAnswer
        } else if disagree {
            cause = .disagreement
        } else if agreement.identicalAnswersAreCopies, Set(answers.map { try? encoder.encode($0.response) }).count < answers.count {
            cause = .identicalAnswers
        } else {
            var random = dispatcher.makeRandom()
            guard Double.random(in: 0..<1, using: &random) < settings.auditProbability else { return nil }
            cause = .audit
        }
        let chosen = dispatcher.selector.acquireReferees(endpoint: task, count: settings.maxReferees, answerers: attempts.map(\.miner),
                                                         excluding: Set(attempts.map(\.miner.hotkey)))
        guard !chosen.isEmpty else {
            return Referral(referees: [], summary: TieBreakSummary(cause: cause, outcome: .noReferees, referees: [], agreeingGroup: []),
                            outcome: .notDecided)
        }
        // Referees never feed the caller: a quiet copy of the round without delivery or relay.
        let quiet = QueryRound(route: route, dispatcher: dispatcher, request: request, body: body, task: task, initial: chosen, scored: false,
                               isOrganic: isOrganic, delivery: nil, relay: nil)
        let refereeAttempts = await withTaskGroup(of: Attempt.self) { group in
            for miner in chosen { group.addTask { await quiet.attempt(miner) } }
            var collected: [Attempt] = []
            for await attempt in group { collected.append(attempt) }
            return collected
        }
        for attempt in refereeAttempts {
            switch attempt.judgement {
            case .valid:
                dispatcher.selector.release(attempt.miner, endpoint: task, result: .success)
                dispatcher.selector.recordServiceTime(endpoint: task, latency: attempt.latency)
            case .busy: dispatcher.selector.release(attempt.miner, endpoint: task, result: .busy)
            case .abandoned: dispatcher.selector.release(attempt.miner, endpoint: task, result: .success)
            case .failed: dispatcher.selector.release(attempt.miner, endpoint: task, result: .failure)
            }
        }
        let refereeAnswers = Self.answers(in: refereeAttempts)
        let all = answers + refereeAnswers
        let isReferee = [Bool](repeating: false, count: answers.count) + [Bool](repeating: true, count: refereeAnswers.count)
        let known = matrix
        let winners = Locked<[Int]>([])
        let result = await dispatcher.rewards.judge(endpoint: descriptor.name, timeout: descriptor.scoringTimeout) {
            var full = [[Double]](repeating: [Double](repeating: 1, count: all.count), count: all.count)
            for i in all.indices {
                for j in all.indices where j > i {
                    let s = j < known.count ? known[i][j] : agreement.score(all[i].response, all[j].response)
                    full[i][j] = s
                    full[j][i] = s
                }
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let encoded = all.map { try? encoder.encode($0.response) }
            let identical = { (i: Int, j: Int) -> Bool in encoded[i] != nil && encoded[i] == encoded[j] }
            switch TieBreakJudgement.judge(similarity: full, threshold: agreement.threshold, referees: isReferee, identical: identical,
                                           copiesCountOnce: agreement.identicalAnswersAreCopies) {
            case .decided(let group, let rewards):
                winners.withLock { $0 = group }
                return .rewards(rewards)
            case .noMajority(let why):
                return .inconclusive(why)
            }
        }
        let refereeIdentities = chosen.map(\.identity)
        switch result {
        case .judged(.rewards(let list)):
            let group = winners.withLock { $0 }.compactMap { all.indices.contains($0) ? all[$0].miner : nil }
            return Referral(referees: refereeAttempts,
                            summary: TieBreakSummary(cause: cause, outcome: .decided, referees: refereeIdentities, agreeingGroup: group),
                            outcome: .scored(Array(zip(all, list)).map { (answer: $0.0, reward: $0.1) }))
        case .judged(.inconclusive(let why)):
            dispatcher.logger.info("tie-break found no majority; round not scored", metadata: RequestScope.metadata([
                LogKey.endpoint: "\(descriptor.name)", "why": "\(why)", "answers": "\(all.count)",
            ]))
            return Referral(referees: refereeAttempts,
                            summary: TieBreakSummary(cause: cause, outcome: .noMajority, referees: refereeIdentities, agreeingGroup: []),
                            outcome: .inconclusive("no majority after tie-break (\(why))"))
        case .timedOut:
            return Referral(referees: refereeAttempts,
                            summary: TieBreakSummary(cause: cause, outcome: .noMajority, referees: refereeIdentities, agreeingGroup: []),
                            outcome: .discarded("tie-break timed out after \(descriptor.scoringTimeout.seconds) s"))
        case .overloaded:
            return Referral(referees: refereeAttempts,
                            summary: TieBreakSummary(cause: cause, outcome: .noMajority, referees: refereeIdentities, agreeingGroup: []),
                            outcome: .discarded("too many rounds waiting for scoring"))
        }
    }
}
