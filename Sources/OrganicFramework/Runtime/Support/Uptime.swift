/// A reading of a node clock's monotonic time (``NodeClock/uptime()``): nanoseconds since an
/// arbitrary origin. It never steps with the wall clock, so deadlines and cooldowns kept in it are
/// neither expired nor extended by a clock correction. A plain integer, so that comparing two is
/// as cheap as it gets on the scheduler's hot path.
public struct Uptime: Sendable, Hashable, Comparable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// Before every reading of any clock.
    public static let distantPast = Uptime(nanoseconds: .min / 2)

    @inlinable
    public static func < (a: Uptime, b: Uptime) -> Bool { a.nanoseconds < b.nanoseconds }

    /// `a` moved by `d` (saturating: a very long duration lands in the far future, not in the past).
    public static func + (a: Uptime, d: Duration) -> Uptime {
        let (sum, overflow) = a.nanoseconds.addingReportingOverflow(d.nanosecondsClamped)
        return Uptime(nanoseconds: overflow ? (d > .zero ? .max : .min) : sum)
    }

    /// The time from `b` to `a`.
    public static func - (a: Uptime, b: Uptime) -> Duration {
        .nanoseconds(a.nanoseconds &- b.nanoseconds)
    }
}
