#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// This test process's open-file limit, for tests that hold thousands of connections at once
/// (a client's end and the in-process node's end of each).
enum DescriptorLimit {
    /// Raises the soft limit to at least `wanted` (at most the hard limit; never lowers it) and
    /// returns the soft limit now in force.
    static func raise(toAtLeast wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur != rlim_t.max, limit.rlim_cur < rlim_t(wanted) {
            var raised = limit
            raised.rlim_cur = limit.rlim_max == rlim_t.max ? rlim_t(wanted) : min(rlim_t(wanted), limit.rlim_max)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur == rlim_t.max ? .max : Int(clamping: limit.rlim_cur)
    }
}
