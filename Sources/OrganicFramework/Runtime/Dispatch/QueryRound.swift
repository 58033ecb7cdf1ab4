import Foundation
import Logging
import Synchronization

/// What an organic caller receives from a round: the first valid whole answer, or the news that
/// a miner's stream has started flowing into the caller's ``ChunkRelay``.
enum OrganicAnswer<E: Endpoint>: Sendable {
    /// The answer, and the miner's bytes when they go to the caller unchanged.
    case whole(E.MinerResponse, answer: [UInt8]?)
    case streaming
}

/// One query sent to one or more miners, from the first attempt to the stored scores.
struct QueryRound<E: Endpoint>: RoundJob {
    let route: EndpointRoute<E>
    let dispatcher: QueryDispatcher
    let request: E.MinerRequest
    let body: [UInt8]
    /// The scheduling key: the endpoint, or `<endpoint>/<model>` when it routes by model.
    let task: String
    let initial: [Neuron]
    let scored: Bool
    let isOrganic: Bool
    let delivery: ResponseDelivery<OrganicAnswer<E>>?
    /// Set when the caller asked for a stream: the first miner whose stream starts feeds it.
    let relay: EndpointRoute<E>.StreamRelay?

    /// How one attempt was judged.
    enum Judgement: Sendable {
        /// `answer` keeps the miner's bytes when the caller receives them as they are.
        case valid(E.MinerResponse, bytes: Int, answer: [UInt8]? = nil)
        case busy
        case failed(MinerFailure)
        /// The caller left while this miner streamed to it: not scored either way.
        case abandoned
    }

    struct Attempt: Sendable {
        var miner: Neuron
        var judgement: Judgement
        var latency: Duration
        var timeToFirstChunk: Duration?
        var chunkCount = 0
    }

    func run() async {
        let descriptor = route.descriptor
        let metrics = dispatcher.metrics?.endpoint(descriptor.name)
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
                metrics?.record(attempt)
                switch attempt.judgement {
                case .valid(let response, _, let answer):
                    dispatcher.selector.release(attempt.miner, endpoint: task, result: .success)
                    dispatcher.selector.recordServiceTime(endpoint: task, latency: attempt.latency)
                    if relay == nil { delivery?.deliver(.success(.whole(response, answer: answer))) }
                case .busy:
                    dispatcher.selector.release(attempt.miner, endpoint: task, result: .busy)
                case .abandoned:
                    dispatcher.selector.release(attempt.miner, endpoint: task, result: .success)
                case .failed(let failure):
                    dispatcher.selector.release(attempt.miner, endpoint: task, result: .failure)
                    // A refusal usually means a protocol or registration mismatch an operator must see;
                    // timeouts and broken answers are routine and show in /admin/rounds.
                    let level: Logger.Level = if case .httpStatus = failure { .info } else { .debug }
                    dispatcher.logger.log(level: level, "miner attempt failed", metadata: RequestScope.metadata([
                        LogKey.endpoint: "\(descriptor.name)", LogKey.minerUID: "\(attempt.miner.uid)", LogKey.minerHotkey: "\(attempt.miner.hotkey)",
                        "failure": "\(failure.label)", "detail": "\(failure.detail)",
                    ]))
                }
                // Retry on another miner only while a caller still waits and nothing else is running.
                if let delivery, !delivery.isDelivered, pending == 0, retriesLeft > 0, relay?.isClosed != true {
                    retriesLeft -= 1
                    if let next = dispatcher.selector.acquire(endpoint: task, count: 1, excluding: tried).first {
                        tried.insert(next.hotkey)
                        pending += 1
                        group.addTask { await self.attempt(next) }
                    }
                }
            }
        }
        // Only when no answer was delivered: the error costs a few allocations every round otherwise.
        if let delivery, !delivery.isDelivered { delivery.deliver(.failure(Self.callerError(for: attempts))) }
        guard scored else { return }
        let outcome = await score(attempts)
        metrics?.count(round: outcome, organic: isOrganic)
    }

    func attempt(_ miner: Neuron) async -> Attempt {
        let descriptor = route.descriptor
        if let streaming = descriptor.streaming { return await streamedAttempt(miner, settings: streaming) }
        let reply = await dispatcher.transport(for: descriptor.name).send(body, to: miner, path: descriptor.minerPath, timeout: descriptor.timeout,
                                                    maxResponseBytes: descriptor.maxResponseBytes)
        switch reply.outcome {
        case .busy:
            return Attempt(miner: miner, judgement: .busy, latency: reply.latency)
        case .failed(let failure):
            return Attempt(miner: miner, judgement: .failed(failure), latency: reply.latency)
        case .answered(let bytes):
            return Attempt(miner: miner, judgement: judge(wholeAnswer: bytes), latency: reply.latency)
        }
    }

    /// Decodes and checks a whole JSON answer.
    private func judge(wholeAnswer bytes: [UInt8]) -> Judgement {
        // Strict JSON (no repeated keys, UTF-8 only): bytes that may reach the caller as they
        // are must read the same in every parser, and the tape decoder refuses anything else.
        let response: E.MinerResponse
        do {
            response = try TypedJSONDecoder<E.MinerResponse>().decode(bytes)
        } catch {
            return .failed(.invalidResponse("response: \(ResponseDecoding.describe(error))"))
        }
        let judgement = judge(response, bytes: bytes.count)
        guard route.forwardsMinerAnswer, isOrganic, case .valid = judgement else { return judgement }
        return .valid(response, bytes: bytes.count, answer: bytes)
    }

    private func judge(_ response: E.MinerResponse, bytes: Int) -> Judgement {
        do {
            try route.endpoint.validate(response: response, for: request)
        } catch {
            return .failed(.invalidResponse(error.message))
        }
        return .valid(response, bytes: bytes)
    }

    /// An attempt on a streaming endpoint: relays the miner's events to a streaming caller as
    /// they arrive (when this miner is the first to start), and assembles them for scoring.
    private func streamedAttempt(_ miner: Neuron, settings: StreamingSettings) async -> Attempt {
        let descriptor = route.descriptor
        let started = ContinuousClock.now
        let reply = await dispatcher.transport(for: descriptor.name).open(body, to: miner, path: descriptor.minerPath, timeout: descriptor.timeout,
                                                    maxResponseBytes: descriptor.maxResponseBytes)
        let stream: MinerResponseStream
        switch reply.outcome {
        case .busy:
            return Attempt(miner: miner, judgement: .busy, latency: reply.latency)
        case .failed(let failure):
            return Attempt(miner: miner, judgement: .failed(failure), latency: reply.latency)
        case .opened(let opened):
            stream = opened
        }
        guard stream.isEventStream else {
            // A whole JSON answer: usable for scoring and for callers who did not ask for a stream.
            var bytes: [UInt8] = []
            do {
                for try await buffer in stream {
                    bytes += buffer.readableBytesView
                    guard bytes.count <= descriptor.maxResponseBytes else {
                        return Attempt(miner: miner, judgement: .failed(.responseTooLarge), latency: ContinuousClock.now - started)
                    }
                }
            } catch {
                return Attempt(miner: miner, judgement: .failed(.connection("answer broke off: \(error)")), latency: ContinuousClock.now - started)
            }
            return Attempt(miner: miner, judgement: judge(wholeAnswer: bytes), latency: ContinuousClock.now - started)
        }
        let reader = MinerEventStreamReader<E.MinerChunk>(chunkTimeout: settings.chunkTimeout, timeout: descriptor.timeout,
                                                          maxBytes: descriptor.maxResponseBytes, endMarker: settings.endMarker,
                                                          callerEdits: relay?.callerEdits)
        let claim = StreamClaim()
        let relay = self.relay
        let delivery = self.delivery
        let outcome = await reader.read(stream, started: started) { chunks, events in
            guard let relay else { return .more }
            if !claim.held {
                // The first miner to produce a chunk serves the caller; the others are only scored.
                guard relay.claim() else { return .moreWithoutEvents }
                claim.held = true
                delivery?.deliver(.success(.streaming))
            }
            return await relay.send(contentsOf: chunks, events: events) ? .more : .stop
        }
        var attempt = Attempt(miner: miner, judgement: .abandoned, latency: outcome.elapsed,
                              timeToFirstChunk: outcome.firstChunk, chunkCount: outcome.chunks.count)
        if outcome.abandoned {
            // The caller left or stopped reading: its stream ends (a writer still blocked on it
            // stops at its next chunk) and nobody is scored.
            if claim.held { relay?.close() }
            return attempt
        }
        if let failure = outcome.failure {
            attempt.judgement = .failed(failure)
        } else {
            do {
                attempt.judgement = judge(try route.endpoint.assemble(outcome.chunks, for: request), bytes: outcome.bytes)
            } catch {
                attempt.judgement = .failed(.invalidResponse(error.message))
            }
        }
        if claim.held, let relay {
            switch attempt.judgement {
            case .valid(let answer, _, _): relay.finish(.completed(answer))
            case .failed(let failure): relay.finish(.failed(failure))
            case .busy, .abandoned: relay.finish(.failed(.connection("the stream ended")))
            }
        }
        return attempt
    }

    /// The error a caller sees when no miner produced a valid answer.
    static func callerError(for attempts: [Attempt]) -> APIError {
        let failures = attempts.compactMap { a -> MinerFailure? in
            if case .failed(let f) = a.judgement { return f }
            return nil
        }
        if attempts.contains(where: { if case .abandoned = $0.judgement { true } else { false } }) {
            return APIError(.clientClosedRequest, code: "client_disconnected", message: "The client closed its connection.")
        }
        if failures.isEmpty {
            return .unavailable("miners_busy", "Every miner asked was at capacity; try again shortly.", retryAfter: 1)
        }
        if failures.allSatisfy({ $0 == .timeout || $0 == .stalled }) {
            return APIError(.gatewayTimeout, code: "miner_timeout", message: "No miner answered in time.")
        }
        return APIError(.badGateway, code: "miner_failed", message: "No miner returned a valid answer.")
    }

    /// Applies the reward function (bounded in time and concurrency), or referees the round when
    /// its answers disagree, and stores the round.
    private func score(_ attempts: [Attempt]) async -> RoundOutcome {
        let descriptor = route.descriptor
        dispatcher.selector.recordPartners(attempts.map(\.miner.hotkey))
        var everyone = attempts
        var roles = [RoundRole](repeating: .answerer, count: attempts.count)
        var verdict = RoundVerdict.scored
        var outcome = RoundOutcome.scored
        var discarded = false
        var rewards: [String: MinerReward] = [:]
        var tieBreak: TieBreakSummary?
        var judged = false
        if let referral = await referee(attempts) {
            everyone += referral.referees
            roles += [RoundRole](repeating: .referee, count: referral.referees.count)
            tieBreak = referral.summary
            switch referral.outcome {
            case .scored(let list):
                judged = true
                for (answer, reward) in list { apply(reward, to: answer) }
            case .inconclusive(let why):
                judged = true
                verdict = .inconclusive(why)
                outcome = .inconclusive
            case .discarded(let why):
                judged = true
                verdict = .discarded(why)
                discarded = true
                outcome = .discardedTieBreak
            case .notDecided:
                break
            }
        }
        func apply(_ reward: MinerReward, to answer: MinerAnswer<E.MinerResponse>) {
            rewards[answer.miner.hotkey] = SpeedAdjustment.apply(to: reward, latency: answer.latency, timeout: descriptor.timeout,
                                                                 endpoint: route.endpoint)
            dispatcher.selector.recordScore(hotkey: answer.miner.hotkey, score: reward.score,
                                            latencyRatio: answer.latency.seconds / max(descriptor.timeout.seconds, 1e-9))
        }
        let answers = Self.answers(in: attempts)
        if !judged, !answers.isEmpty {
            let round = ScoringRound(request: request, answers: answers, isOrganic: isOrganic, timeout: descriptor.timeout,
                                     fallbackEpsilon: dispatcher.settings.fallbackEpsilon, random: dispatcher.makeRandom())
            let endpoint = route.endpoint
            switch await dispatcher.rewards.judge(endpoint: descriptor.name, timeout: descriptor.scoringTimeout, { await endpoint.reward(round) }) {
            case .judged(.rewards(let list)):
                if let problem = RewardContract.violation(in: list, expected: answers.count) {
                    dispatcher.logger.error("reward function broke its contract; round discarded", metadata: RequestScope.metadata([
                        LogKey.endpoint: "\(descriptor.name)", "problem": "\(problem)",
                    ]))
                    verdict = .discarded("\(problem)")
                    discarded = true
                    outcome = .discardedRewardContract
                } else {
                    for (answer, reward) in zip(answers, list) { apply(reward, to: answer) }
                }
            case .judged(.inconclusive(let why)):
                verdict = .inconclusive(why)
                outcome = .inconclusive
            case .timedOut:
                dispatcher.logger.warning("reward function timed out; round discarded", metadata: RequestScope.metadata([
                    LogKey.endpoint: "\(descriptor.name)", "timeoutSeconds": "\(descriptor.scoringTimeout.seconds)",
                ]))
                verdict = .discarded("scoring timed out after \(descriptor.scoringTimeout.seconds) s")
                discarded = true
                outcome = .discardedScoringTimeout
            case .overloaded:
                verdict = .discarded("too many rounds waiting for scoring")
                discarded = true
                outcome = .discardedScoringOverloaded
            }
        }
        let results = zip(everyone, roles).compactMap { attempt, role -> MinerRoundResult? in
            let latency = attempt.latency.seconds
            let firstChunk = attempt.timeToFirstChunk?.seconds
            switch attempt.judgement {
            case .valid:
                let reward = rewards[attempt.miner.hotkey]
                return MinerRoundResult(miner: attempt.miner.identity, outcome: .answered, score: reward?.score, reason: reward?.reason,
                                        latencySeconds: latency, timeToFirstChunkSeconds: firstChunk, role: role)
            case .busy:
                return MinerRoundResult(miner: attempt.miner.identity, outcome: .busy, score: nil, reason: "miner at capacity", latencySeconds: latency,
                                        role: role)
            case .abandoned:
                return MinerRoundResult(miner: attempt.miner.identity, outcome: .abandoned, score: nil, reason: "the caller left mid-stream",
                                        latencySeconds: latency, timeToFirstChunkSeconds: firstChunk, role: role)
            case .failed(let failure):
                // A discarded round scores nobody, failures included.
                return MinerRoundResult(miner: attempt.miner.identity, outcome: failure.outcome, score: discarded ? nil : 0, reason: failure.detail,
                                        latencySeconds: latency, timeToFirstChunkSeconds: firstChunk, role: role)
            }
        }
        let record = RoundRecord(endpoint: descriptor.name, isOrganic: isOrganic, createdAt: dispatcher.clock.now(), verdict: verdict, results: results,
                                 tieBreak: tieBreak)
        if let book = dispatcher.scoreBook, !discarded {
            for result in results {
                if let score = result.score { book.record(score, miner: result.miner, endpoint: descriptor.name, at: record.createdAt) }
            }
        }
        do {
            try await dispatcher.store.record(record)
        } catch {
            dispatcher.logger.error("could not store scores", metadata: RequestScope.metadata([LogKey.endpoint: "\(descriptor.name)", "error": "\(error)"]))
        }
        return outcome
    }

    /// The valid answers among `attempts`, in order.
    static func answers(in attempts: [Attempt]) -> [MinerAnswer<E.MinerResponse>] {
        attempts.compactMap { attempt in
            guard case .valid(let response, let bytes, _) = attempt.judgement else { return nil }
            return MinerAnswer(miner: attempt.miner.identity, response: response, latency: attempt.latency, responseBytes: bytes,
                               timeToFirstChunk: attempt.timeToFirstChunk, chunkCount: attempt.chunkCount)
        }
    }
}

/// Whether one attempt holds the caller's stream.
private final class StreamClaim: Sendable {
    private let flag = Atomic<Bool>(false)

    var held: Bool {
        get { flag.load(ordering: .relaxed) }
        set { flag.store(newValue, ordering: .relaxed) }
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
