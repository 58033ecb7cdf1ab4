/// Polls `condition` until it holds or `timeout` of wall time passes, and returns whether it held.
/// The generous default allows for a parallel test run saturating a small machine.
///
/// For state that settles asynchronously after an action (a queue emptying, a ledger entry being
/// written): assert on the result, `#expect(try await eventually { … })`. Never use it to measure
/// time; speed belongs in benchmarks.
public func eventually(timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(5),
                       _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if try await condition() { return true }
        if clock.now >= deadline { return false }
        try? await Task.sleep(for: interval)
    }
}
