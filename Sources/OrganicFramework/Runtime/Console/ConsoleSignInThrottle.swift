import Synchronization

/// Bounds how fast admin tokens can be guessed at the console's sign-in form, however many
/// requests arrive at once.
///
/// A token bucket shared by every caller: each attempt takes one token *before* the token is
/// checked, and a successful sign-in gives it back. With the bucket empty the attempt is refused
/// unchecked (so a refusal says nothing about the token). A flood of guesses therefore gets at
/// most `burst` plus `perMinute` a minute checked; the operator waits at most one refill
/// interval for the next try.
final class ConsoleSignInThrottle: Sendable {
    enum Decision: Equatable {
        case proceed
        /// Refused; retry after this long.
        case wait(Duration)
    }

    private struct Bucket {
        var tokens: Double
        var updatedAt: ContinuousClock.Instant
    }

    let burst: Double
    /// Tokens regained per second.
    let rate: Double
    private let now: @Sendable () -> ContinuousClock.Instant
    private let bucket: Mutex<Bucket>

    init(burst: Int, perMinute: Double, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.burst = Double(max(burst, 1))
        rate = max(perMinute, 0.01) / 60
        self.now = now
        bucket = Mutex(Bucket(tokens: Double(max(burst, 1)), updatedAt: now()))
    }

    /// Takes one attempt from the allowance.
    func attempt() -> Decision {
        let instant = now()
        return bucket.withLock { bucket in
            refill(&bucket, at: instant)
            guard bucket.tokens >= 1 else {
                return .wait(.seconds(double: (1 - bucket.tokens) / rate))
            }
            bucket.tokens -= 1
            return .proceed
        }
    }

    /// Gives back the attempt of a sign-in that succeeded.
    func succeeded() {
        bucket.withLock { bucket in bucket.tokens = min(burst, bucket.tokens + 1) }
    }

    private func refill(_ bucket: inout Bucket, at instant: ContinuousClock.Instant) {
        let elapsed = (instant - bucket.updatedAt) / .seconds(1)
        if elapsed > 0 { bucket.tokens = min(burst, bucket.tokens + elapsed * rate) }
        bucket.updatedAt = instant
    }
}
