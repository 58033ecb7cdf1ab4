public import OrganicFramework
public import Logging
public import ServiceLifecycle

/// The verifier's view of who may send requests: the latest metagraph snapshot, kept
/// current by running it as a service (it refreshes from its ``MetagraphSource`` and keeps
/// the last good snapshot when a fetch fails).
public final class SenderDirectory: Service {
    let source: any MetagraphSource
    let clock: any NodeClock
    let logger: Logger
    private let snapshot = Locked<[String: Neuron]?>(nil)

    public init(source: any MetagraphSource, clock: any NodeClock = SystemNodeClock(), logger: Logger) {
        self.source = source
        self.clock = clock
        self.logger = logger
    }

    /// A directory of fixed validators (each with a permit), for tests and allow-lists.
    public static func fixed(validators: [String], stake: Double = 0, logger: Logger) -> SenderDirectory {
        let neurons = validators.enumerated().map { index, hotkey in
            Neuron(uid: UInt16(truncatingIfNeeded: index), hotkey: hotkey, url: nil, stake: stake, validatorPermit: true)
        }
        let directory = SenderDirectory(source: StaticMetagraphSource(metagraph: Metagraph(neurons: neurons)), logger: logger)
        directory.install(Metagraph(neurons: neurons))
        return directory
    }

    /// The neuron registered under `hotkey`, or nil. `loaded` is false before the first
    /// successful fetch.
    func lookup(hotkey: String) -> (loaded: Bool, neuron: Neuron?) {
        snapshot.withLock { map in
            guard let map else { return (false, nil) }
            return (true, map[hotkey])
        }
    }

    func install(_ metagraph: Metagraph) {
        let map = Dictionary(metagraph.neurons.map { ($0.hotkey, $0) }, uniquingKeysWith: { first, _ in first })
        snapshot.withLock { $0 = map }
    }

    /// Fetches once; errors keep the previous snapshot.
    public func refresh() async {
        do {
            install(try await source.fetch())
        } catch {
            logger.warning("sender directory refresh failed; keeping the last snapshot", metadata: ["error": "\(error)"])
        }
    }

    public func run() async throws {
        guard let interval = source.refreshInterval else {
            await refresh()
            try? await gracefulShutdown()
            return
        }
        await PeriodicWork.run(every: interval, clock: clock) { await self.refresh() }
    }
}
