import Foundation
@testable import OrganicFramework
import PropertyBased
import Testing

@Suite("Rate limiter")
struct RateLimiterTests {
    static let second: Int64 = 1_000_000_000

    func admitted(_ limiter: RateLimiter, _ rules: [RateLimitRule], at now: Int64, endpoint: String = "e", key: String = "k") -> Bool {
        if case .allowed = limiter.admit(keyID: key, rules: rules, maxConcurrent: nil, endpoint: endpoint, nowNanoseconds: now) { return true }
        return false
    }

    @Test("a burst gets exactly the limit, then one more per emission interval")
    func burstThenRefill() {
        let limiter = RateLimiter()
        let rules = [RateLimitRule(limit: 10, periodSeconds: 1)]
        let t0 = 1_000 * Self.second
        #expect((0..<25).filter { _ in admitted(limiter, rules, at: t0) }.count == 10)
        #expect(!admitted(limiter, rules, at: t0 + Self.second / 10 - 1))
        #expect(admitted(limiter, rules, at: t0 + Self.second / 10))
        #expect(!admitted(limiter, rules, at: t0 + Self.second / 10))
    }

    @Test("over any interval a rule admits at most limit + interval × rate")
    func precision() async {
        await propertyCheck(input: Gen.int(in: 1...50), Gen.int(in: 1...5), Gen.uint64().array(of: 1...300)) { limit, periodSeconds, draws in
            let limiter = RateLimiter()
            let rules = [RateLimitRule(limit: limit, periodSeconds: Double(periodSeconds))]
            let span = Int64(periodSeconds) * 3 * Self.second
            let times = draws.map { Int64($0 % UInt64(span)) + Self.second }.sorted()
            var accepted: [Int64] = []
            for time in times where admitted(limiter, rules, at: time) { accepted.append(time) }
            let interval = Int64(periodSeconds) * Self.second / Int64(limit)
            // accepted is sorted: the requests in [accepted[i], accepted[j]] are j - i + 1.
            for i in accepted.indices {
                for j in accepted.indices where j >= i {
                    let count = Int64(j - i + 1)
                    if count > Int64(limit) + (accepted[j] - accepted[i]) / interval {
                        Issue.record("\(count) admitted in \(accepted[j] - accepted[i]) ns with limit \(limit)/\(periodSeconds)s")
                        return
                    }
                }
            }
        }
    }

    @Test("requests at the sustained rate are never refused")
    func sustainedRate() {
        let limiter = RateLimiter()
        let rules = [RateLimitRule(limit: 5, periodSeconds: 1)]
        for step in 0..<1000 {
            #expect(admitted(limiter, rules, at: Self.second + Int64(step) * Self.second / 5))
        }
    }

    @Test("every applying rule must admit; a refused request consumes nothing")
    func severalRules() {
        let limiter = RateLimiter()
        let rules = [RateLimitRule(limit: 100, periodSeconds: 1), RateLimitRule(limit: 3, periodSeconds: 86_400),
                     RateLimitRule(limit: 1, periodSeconds: 60, endpoint: "slow")]
        let t0 = 5 * Self.second
        #expect(admitted(limiter, rules, at: t0, endpoint: "slow"))
        #expect(!admitted(limiter, rules, at: t0, endpoint: "slow"))
        #expect(admitted(limiter, rules, at: t0, endpoint: "fast"))
        #expect(admitted(limiter, rules, at: t0, endpoint: "fast"))
        #expect(!admitted(limiter, rules, at: t0 + 3600 * Self.second, endpoint: "fast"))
        // Other keys have their own buckets.
        #expect(admitted(limiter, rules, at: t0, endpoint: "fast", key: "other"))
    }

    @Test("refusals say when to retry and what remains")
    func headers() {
        let limiter = RateLimiter()
        let rules = [RateLimitRule(limit: 2, periodSeconds: 60)]
        let t0 = 10 * Self.second
        #expect(limiter.admit(keyID: "k", rules: rules, maxConcurrent: nil, endpoint: "e", nowNanoseconds: t0)
                == .allowed(.init(limit: 2, remaining: 1, resetSeconds: 30)))
        #expect(limiter.admit(keyID: "k", rules: rules, maxConcurrent: nil, endpoint: "e", nowNanoseconds: t0)
                == .allowed(.init(limit: 2, remaining: 0, resetSeconds: 60)))
        #expect(limiter.admit(keyID: "k", rules: rules, maxConcurrent: nil, endpoint: "e", nowNanoseconds: t0)
                == .limited(.init(limit: 2, remaining: 0, resetSeconds: 60), retryAfterSeconds: 30))
    }

    @Test("in-flight limits count admitted requests until they finish")
    func concurrency() {
        let limiter = RateLimiter()
        let decide = { limiter.admit(keyID: "k", rules: [], maxConcurrent: 2, endpoint: "e", nowNanoseconds: 0) }
        #expect(decide() == .allowed(nil))
        #expect(decide() == .allowed(nil))
        #expect(decide() == .tooManyInFlight(max: 2))
        limiter.finish(keyID: "k")
        #expect(decide() == .allowed(nil))
    }
}
