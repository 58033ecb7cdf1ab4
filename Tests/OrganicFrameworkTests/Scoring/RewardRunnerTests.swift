@testable import OrganicFramework
import OrganicTestKit
import PropertyBased
import Synchronization
import Testing

/// A latch that reward functions wait on, ignoring cancellation, until the test opens it.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Counts rewards running at once, and how many have started and returned.
final class RewardProbe: Sendable {
    private let state = Mutex<(running: Int, peak: Int, started: Int, returned: Int)>((0, 0, 0, 0))

    var peak: Int { state.withLock { $0.peak } }
    var started: Int { state.withLock { $0.started } }
    var returned: Int { state.withLock { $0.returned } }

    /// Wraps `body` as a reward that scores one answer 1.
    func reward(_ body: @escaping @Sendable () async -> Void = {}) -> @Sendable () async -> RewardVerdict {
        { [self] in
            state.withLock { s in
                s.running += 1
                s.started += 1
                s.peak = max(s.peak, s.running)
            }
            await body()
            state.withLock { s in
                s.running -= 1
                s.returned += 1
            }
            return .rewards([MinerReward(score: 1)])
        }
    }
}

@Suite("Reward runner")
struct RewardRunnerTests {
    static func isJudged(_ result: RewardRunner.Result) -> Bool {
        if case .judged = result { true } else { false }
    }

    static func label(_ result: RewardRunner.Result) -> String {
        switch result {
        case .judged: "judged"
        case .timedOut: "timedOut"
        case .overloaded: "overloaded"
        }
    }

    @Test("with a scoring executor, rewards run on its dedicated threads, also after they suspend")
    func rewardsRunOnScoringThreads() async throws {
        let executor = ScoringExecutor(threads: 1)
        let runner = RewardRunner(maxConcurrent: 4, executor: executor)
        @Sendable func onScoringThreads() -> Bool {
            withUnsafeCurrentTask { $0?.unownedTaskExecutor } == executor.asUnownedTaskExecutor()
        }
        #expect(!onScoringThreads())
        let result = await runner.judge(endpoint: "e", timeout: .seconds(30)) {
            let before = onScoringThreads()
            try? await Task.sleep(for: .milliseconds(5))
            let after = onScoringThreads()
            return before && after ? .rewards([MinerReward(score: 1)]) : .inconclusive("ran on the cooperative pool")
        }
        guard case .judged(.rewards(let rewards)) = result else {
            Issue.record("expected rewards, got \(result)")
            return
        }
        #expect(rewards.map(\.score) == [1])
        try await executor.shutdown()
    }

    @Test("rewards with random delays never run more than maxConcurrent at once, and all are judged")
    func concurrencyBound() async {
        await propertyCheck(count: 25, input: Gen.int(in: 1...4), Gen.int(in: 0...3000).array(of: 1...40)) { limit, delays in
            let runner = RewardRunner(maxConcurrent: limit, maxWaiting: 1000)
            let probes = ["main": RewardProbe(), "other": RewardProbe()]
            let results = await withTaskGroup(of: String.self) { group in
                for (i, micros) in delays.enumerated() {
                    // Two endpoints share nothing: each has its own limit.
                    let endpoint = i % 3 == 0 ? "other" : "main"
                    let probe = probes[endpoint] ?? RewardProbe()
                    group.addTask {
                        let result = await runner.judge(endpoint: endpoint, timeout: .seconds(20), probe.reward {
                            if micros > 0 { try? await Task.sleep(for: .microseconds(micros)) }
                        })
                        return Self.label(result)
                    }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0 == "judged" }, "\(results)")
            #expect(probes.values.map(\.returned).reduce(0, +) == delays.count)
            for probe in probes.values { #expect(probe.peak <= limit) }
        }
    }

    @Test("one endpoint's rewards never exceed its limit, even when each one suspends")
    func concurrencyBoundOneEndpoint() async {
        await propertyCheck(count: 25, input: Gen.int(in: 1...4), Gen.int(in: 0...2000).array(of: 1...40)) { limit, delays in
            let runner = RewardRunner(maxConcurrent: limit, maxWaiting: 1000)
            let probe = RewardProbe()
            let judged = await withTaskGroup(of: Bool.self) { group in
                for micros in delays {
                    group.addTask {
                        Self.isJudged(await runner.judge(endpoint: "e", timeout: .seconds(20), probe.reward {
                            await Task.yield()
                            if micros > 0 { try? await Task.sleep(for: .microseconds(micros)) }
                        }))
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(judged == delays.count)
            #expect(probe.peak <= limit)
            #expect(probe.peak >= 1)
        }
    }

    @Test("a slot freed just as a round starts waiting is never missed (no round waits out its deadline beside a free slot)")
    func noLostWakeup() async {
        var timedOut = 0
        // A generous deadline: a busy CI machine must not pass for a lost wakeup, which waits it out.
        for _ in 0..<2000 {
            let runner = RewardRunner(maxConcurrent: 1, maxWaiting: 100)
            timedOut += await withTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let result = await runner.judge(endpoint: "e", timeout: .seconds(30)) {
                            await Task.yield()
                            return .rewards([])
                        }
                        return Self.isJudged(result) ? 0 : 1
                    }
                }
                return await group.reduce(0, +)
            }
        }
        #expect(timedOut == 0)
    }

    @Test("a reward that outlives its timeout is abandoned: the runner returns while it still runs")
    func timeoutReturnsPromptly() async {
        let runner = RewardRunner(maxConcurrent: 2)
        let gate = Gate()
        let probe = RewardProbe()
        let result = await runner.judge(endpoint: "e", timeout: .milliseconds(100), probe.reward { await gate.wait() })
        #expect(Self.label(result) == "timedOut")
        #expect(probe.started == 1)
        #expect(probe.returned == 0, "the runner did not wait for the reward")
        gate.open()
        #expect(await eventually { probe.returned == 1 })
    }

    @Test("a timed-out reward keeps its slot until it returns; then the next round gets it")
    func timedOutKeepsSlot() async {
        let runner = RewardRunner(maxConcurrent: 1)
        let gate = Gate()
        let probe = RewardProbe()
        #expect(Self.label(await runner.judge(endpoint: "e", timeout: .milliseconds(50), probe.reward { await gate.wait() })) == "timedOut")
        #expect(runner.load("e").running == 1)
        // The slot is still held: waiting for it uses up the next round's whole deadline.
        #expect(Self.label(await runner.judge(endpoint: "e", timeout: .milliseconds(150), probe.reward())) == "timedOut")
        #expect(probe.started == 1, "the second reward never ran")
        // Other endpoints are not held up.
        #expect(Self.isJudged(await runner.judge(endpoint: "f", timeout: .seconds(10), probe.reward())))
        gate.open()
        #expect(await eventually { probe.returned == 2 })
        #expect(await eventually { runner.load("e") == (running: 0, waiting: 0) })
        #expect(Self.isJudged(await runner.judge(endpoint: "e", timeout: .seconds(10), probe.reward())))
    }

    @Test("a round waiting for a slot is judged as soon as the slot frees, within its deadline")
    func waiterGetsSlot() async {
        let runner = RewardRunner(maxConcurrent: 1)
        let gate = Gate()
        let probe = RewardProbe()
        async let first = runner.judge(endpoint: "e", timeout: .seconds(20), probe.reward { await gate.wait() })
        #expect(await eventually { probe.started == 1 })
        async let second = runner.judge(endpoint: "e", timeout: .seconds(20), probe.reward())
        try? await Task.sleep(for: .milliseconds(50))
        #expect(probe.started == 1, "the second waits while the first holds the only slot")
        gate.open()
        let results = await [first, second].map(Self.label)
        #expect(results == ["judged", "judged"])
        #expect(probe.peak == 1)
    }

    @Test("rounds beyond maxWaiting are refused as overloaded at once; those waiting are judged later")
    func overloaded() async {
        let runner = RewardRunner(maxConcurrent: 1, maxWaiting: 2)
        let gate = Gate()
        let probe = RewardProbe()
        async let running = runner.judge(endpoint: "e", timeout: .seconds(30), probe.reward { await gate.wait() })
        #expect(await eventually { probe.started == 1 })
        // With room in the queue a round waits (and here times out) rather than being refused.
        #expect(Self.label(await runner.judge(endpoint: "e", timeout: .milliseconds(20), probe.reward())) == "timedOut")
        async let waitingA = runner.judge(endpoint: "e", timeout: .seconds(30), probe.reward())
        async let waitingB = runner.judge(endpoint: "e", timeout: .seconds(30), probe.reward())
        // Once both places are taken, the next round is refused (without waiting out its long deadline).
        #expect(await eventually { runner.load("e").waiting == 2 })
        // Once both places are taken, the next round is refused without waiting out its deadline.
        #expect(Self.label(await runner.judge(endpoint: "e", timeout: .seconds(30), probe.reward())) == "overloaded")
        #expect(runner.load("e") == (running: 1, waiting: 2))
        // Another endpoint has its own queue.
        #expect(Self.isJudged(await runner.judge(endpoint: "f", timeout: .seconds(10), probe.reward())))
        gate.open()
        let results = await [running, waitingA, waitingB].map(Self.label)
        #expect(results == ["judged", "judged", "judged"])
        #expect(probe.started == 4)
    }

    @Test("waiting for a slot counts toward the deadline: the reward gets only what is left")
    func deadlineIncludesWait() async {
        let runner = RewardRunner(maxConcurrent: 1)
        let holder = Gate()
        let slow = Gate()
        let probe = RewardProbe()
        async let first = runner.judge(endpoint: "e", timeout: .seconds(30), probe.reward { await holder.wait() })
        #expect(await eventually { probe.started == 1 })
        let clock = ContinuousClock()
        let start = clock.now
        async let second = runner.judge(endpoint: "e", timeout: .seconds(6), probe.reward { await slow.wait() })
        #expect(await eventually { runner.load("e").waiting == 1 })
        try? await Task.sleep(for: .seconds(4))
        holder.open()
        // The second got the slot after ~4 s of its 6 s; a fresh 6 s would end near 10 s. The 3 s
        // between the bound and either outcome absorb a busy machine's late timers (1.5 s seen).
        #expect(Self.label(await second) == "timedOut")
        #expect(probe.started == 2, "the second reward ran once the slot was free")
        #expect(clock.now - start < .seconds(8.5))
        slow.open()
        #expect(Self.label(await first) == "judged")
    }

    @Test("OneShot delivers the first value only, to a waiter that came before or after")
    func oneShot() async {
        let early = OneShot<Int>()
        async let value = early.value()
        try? await Task.sleep(for: .milliseconds(10))
        early.fulfil(1)
        early.fulfil(2)
        #expect(await value == 1)
        let late = OneShot<Int?>()
        late.fulfil(nil)
        late.fulfil(3)
        #expect(await late.value() == nil)
    }
}
