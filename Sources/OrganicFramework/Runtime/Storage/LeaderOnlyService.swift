import ServiceLifecycle

/// Runs a service only while this instance is the leader: starts it when leadership is won
/// and cancels it when leadership is lost (it starts afresh on the next win). Leadership is
/// looked at every `poll`, far shorter than the election interval.
struct LeaderOnlyService: Service, CustomStringConvertible {
    let inner: any Service
    let leadership: Leadership
    var poll: Duration = .milliseconds(100)

    var description: String { "LeaderOnly(\(inner))" }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                guard leadership.isLeader else {
                    try? await Task.sleep(for: poll)
                    continue
                }
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { try? await inner.run() }
                    while !Task.isCancelled && leadership.isLeader {
                        try? await Task.sleep(for: poll)
                    }
                    group.cancelAll()
                }
            }
        }
    }
}
