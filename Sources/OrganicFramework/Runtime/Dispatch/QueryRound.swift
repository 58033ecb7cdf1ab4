import Foundation
import Logging

/// One query sent to one or more miners, from the first attempt to the stored scores.
struct QueryRound<E: Endpoint>: RoundJob {
    let route: EndpointRoute<E>
    let dispatcher: QueryDispatcher
    let request: E.Request
    let body: [UInt8]
    let initial: [Neuron]
    let scored: Bool
    let isOrganic: Bool
    let delivery: ResponseDelivery<E.Response>?

    /// How one attempt was judged.
    enum Judgement: Sendable {
        case valid(E.Response, bytes: Int)
        case busy
        case failed(MinerFailure)
    }

    struct Attempt: Sendable {
        var miner: Neuron
        var judgement: Judgement
        var latency: Duration
    }

    func run() async {
        let descriptor = route.descriptor
        var attempts: [Attempt] = []
        var tried = Set(initial.map(\.hotkey))
        var retriesLeft = dispatcher.settings.retries
        await withTaskGroup(of: Attempt.self) { group in
            var pending = 0
            for miner in initial {
                pending += 1
                group.addTask { await self.attempt(miner) }
            }
            while let attempt = await group.next() {
                pending -= 1
                attempts.append(attempt)
                switch attempt.judgement {
                case .valid(let response, _):
                    dispatcher.selector.release(attempt.miner, endpoint: descriptor.name, result: .success)
                    dispatcher.selector.recordServiceTime(endpoint: descriptor.name, latency: attempt.latency)
                    delivery?.deliver(.success(response))
                case .busy:
                    dispatcher.selector.release(attempt.miner, endpoint: descriptor.name, result: .busy)
                case .failed(let failure):
                    dispatcher.selector.release(attempt.miner, endpoint: descriptor.name, result: .failure)
                    dispatcher.logger.debug("miner attempt failed", metadata: [
                        "endpoint": "\(descriptor.name)", "uid": "\(attempt.miner.uid)", "failure": "\(failure.label)",
                    ])
                }
                // Retry on another miner only while a caller still waits and nothing else is running.
                if let delivery, !delivery.isDelivered, pending == 0, retriesLeft > 0 {
                    retriesLeft -= 1
                    if let next = dispatcher.selector.acquire(endpoint: descriptor.name, count: 1, excluding: tried).first {
                        tried.insert(next.hotkey)
                        pending += 1
                        group.addTask { await self.attempt(next) }
                    }
                }
            }
        }
        delivery?.deliver(.failure(Self.callerError(for: attempts)))
        guard scored else { return }
        await score(attempts)
    }

    private func attempt(_ miner: Neuron) async -> Attempt {
        let descriptor = route.descriptor
        let reply = await dispatcher.transport.send(body, to: miner, path: descriptor.minerPath, timeout: descriptor.timeout,
                                                    maxResponseBytes: descriptor.maxResponseBytes)
        switch reply.outcome {
        case .busy:
            return Attempt(miner: miner, judgement: .busy, latency: reply.latency)
        case .failed(let failure):
            return Attempt(miner: miner, judgement: .failed(failure), latency: reply.latency)
        case .answered(let bytes):
            let response: E.Response
            do {
                response = try JSONDecoder().decode(E.Response.self, from: Data(bytes))
            } catch {
                return Attempt(miner: miner, judgement: .failed(.invalidResponse("response is not valid JSON for this endpoint")), latency: reply.latency)
            }
            do {
                try route.endpoint.validate(response: response, for: request)
            } catch {
                return Attempt(miner: miner, judgement: .failed(.invalidResponse(error.message)), latency: reply.latency)
            }
            return Attempt(miner: miner, judgement: .valid(response, bytes: bytes.count), latency: reply.latency)
        }
    }

    /// The error a caller sees when no miner produced a valid answer.
    static func callerError(for attempts: [Attempt]) -> APIError {
        let failures = attempts.compactMap { a -> MinerFailure? in
            if case .failed(let f) = a.judgement { return f }
            return nil
        }
        if failures.isEmpty {
            return .unavailable("miners_busy", "Every miner asked was at capacity; try again shortly.", retryAfter: 1)
        }
        if failures.allSatisfy({ $0 == .timeout }) {
            return APIError(.gatewayTimeout, code: "miner_timeout", message: "No miner answered in time.")
        }
        return APIError(.badGateway, code: "miner_failed", message: "No miner returned a valid answer.")
    }

    /// Applies the reward function and stores the round.
    private func score(_ attempts: [Attempt]) async {
        let descriptor = route.descriptor
        var answers: [MinerAnswer<E.Response>] = []
        for attempt in attempts {
            if case .valid(let response, let bytes) = attempt.judgement {
                answers.append(MinerAnswer(miner: attempt.miner.identity, response: response, latency: attempt.latency, responseBytes: bytes))
            }
        }
        var verdict = "scored"
        var rewards: [String: MinerReward] = [:]
        if !answers.isEmpty {
            let round = ScoringRound(request: request, answers: answers, isOrganic: isOrganic, timeout: descriptor.timeout,
                                     fallbackEpsilon: dispatcher.settings.fallbackEpsilon)
            switch route.endpoint.reward(round) {
            case .rewards(let list):
                if let problem = RewardContract.violation(in: list, expected: answers.count) {
                    dispatcher.logger.error("reward function broke its contract; round discarded", metadata: [
                        "endpoint": "\(descriptor.name)", "problem": "\(problem)",
                    ])
                    verdict = "discarded: \(problem)"
                } else {
                    for (answer, reward) in zip(answers, list) {
                        rewards[answer.miner.hotkey] = SpeedAdjustment.apply(to: reward, latency: answer.latency, timeout: descriptor.timeout,
                                                                             endpoint: route.endpoint)
                        dispatcher.selector.recordScore(hotkey: answer.miner.hotkey, score: reward.score,
                                                        latencyRatio: answer.latency.seconds / max(descriptor.timeout.seconds, 1e-9))
                    }
                }
            case .inconclusive(let why):
                verdict = "inconclusive: \(why)"
            }
        }
        guard !verdict.hasPrefix("discarded") else { return }
        let results = attempts.map { attempt -> MinerRoundResult in
            let latency = attempt.latency.seconds
            switch attempt.judgement {
            case .valid:
                let reward = rewards[attempt.miner.hotkey]
                return MinerRoundResult(miner: attempt.miner.identity, outcome: "answered", score: reward?.score, reason: reward?.reason, latencySeconds: latency)
            case .busy:
                return MinerRoundResult(miner: attempt.miner.identity, outcome: "busy", score: nil, reason: "miner at capacity", latencySeconds: latency)
            case .failed(let failure):
                return MinerRoundResult(miner: attempt.miner.identity, outcome: failure.label, score: 0, reason: failure.detail, latencySeconds: latency)
            }
        }
        let record = RoundRecord(endpoint: descriptor.name, isOrganic: isOrganic, createdAt: dispatcher.clock.now(), verdict: verdict, results: results)
        if let book = dispatcher.scoreBook {
            for result in results {
                if let score = result.score { book.record(score, miner: result.miner, endpoint: descriptor.name, at: record.createdAt) }
            }
        }
        do {
            try await dispatcher.store.record(record)
        } catch {
            dispatcher.logger.error("could not store scores", metadata: ["error": "\(error)"])
        }
    }
}

/// What the core checks before trusting a reward function's output.
enum RewardContract {
    static func violation(in rewards: [MinerReward], expected: Int) -> String? {
        if rewards.count != expected { return "returned \(rewards.count) rewards for \(expected) answers" }
        if let bad = rewards.first(where: { !$0.score.isFinite || $0.score < 0 || $0.score > 1 }) {
            return "score \(bad.score) is outside [0, 1]"
        }
        return nil
    }
}
