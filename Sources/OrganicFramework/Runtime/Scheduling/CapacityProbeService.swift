import Logging
import ServiceLifecycle

/// Asks miners how many concurrent requests they accept per endpoint, for plugins whose
/// miners declare it (``SubnetPlugin/capacityDeclaration``), and hands the answers to the
/// ``MinerSelector``, which caps them by the operator's settings.
///
/// Every `interval` each miner with an address that serves one of the plugin's endpoints gets
/// `POST <minerPath>` with the declaration's request body (`{}` by default) through the node's ``MinerTransport`` (so it is signed like any
/// query). A valid answer replaces the miner's declaration for the plugin's endpoints. An
/// answer that cannot be decoded, or that gives a negative number for one of the plugin's
/// endpoints, is logged and ignored: the last good declaration stays. Unanswered probes change
/// nothing either; until the first good answer the configured capacity applies.
final class CapacityProbeService: Service {
    /// One plugin's declaration and the endpoints of it that this node serves.
    struct Target: Sendable {
        var plugin: String
        var declaration: CapacityDeclaration
        var endpoints: [String]
        /// How the plugin's miners are reached (its miner protocol), so a probe is signed like any query.
        var transport: any MinerTransport
    }

    let targets: [Target]
    let selector: MinerSelector
    let interval: Duration
    let timeout: Duration
    let clock: any NodeClock
    let logger: Logger
    /// Probes in flight at once.
    let width = 16
    static let maxAnswerBytes = 64 << 10

    init(targets: [Target], selector: MinerSelector, interval: Duration, timeout: Duration, clock: any NodeClock, logger: Logger) {
        self.targets = targets
        self.selector = selector
        self.interval = interval
        self.timeout = timeout
        self.clock = clock
        self.logger = logger
    }

    func run() async throws {
        await PeriodicWork.run(every: interval, clock: clock) { await self.probeAll() }
    }

    /// Probes every miner once (for each declaring plugin) and records the answers.
    func probeAll() async {
        let neurons = selector.current.neurons.filter { $0.url != nil }
        var jobs: [(Neuron, Target)] = []
        for target in targets {
            for neuron in neurons where target.endpoints.contains(where: neuron.serves) { jobs.append((neuron, target)) }
        }
        await withTaskGroup(of: Void.self) { group in
            var pending = jobs.makeIterator()
            for _ in 0..<width {
                guard let (neuron, target) = pending.next() else { break }
                group.addTask { await self.probe(neuron, target) }
            }
            while await group.next() != nil {
                if let (neuron, target) = pending.next() { group.addTask { await self.probe(neuron, target) } }
            }
        }
    }

    /// Asks one miner and records a valid answer.
    func probe(_ neuron: Neuron, _ target: Target) async {
        let reply = await target.transport.send(target.declaration.requestBody, to: neuron, path: target.declaration.minerPath, timeout: timeout,
                                         maxResponseBytes: Self.maxAnswerBytes)
        let metadata: Logger.Metadata = [LogKey.minerUID: "\(neuron.uid)", LogKey.minerHotkey: "\(neuron.hotkey)", "plugin": "\(target.plugin)"]
        switch reply.outcome {
        case .answered(let body):
            do {
                let declared = try Self.validated(target.declaration.decode(body), endpoints: target.endpoints)
                selector.update(declaredCapacities: declared, for: neuron.hotkey, covering: target.endpoints,
                                alreadyShared: target.declaration.scaledToValidatorStake)
            } catch {
                logger.warning("miner's capacity declaration is malformed; keeping its last good one",
                               metadata: metadata.merging(["error": "\(error)"]) { $1 })
            }
        case .busy:
            logger.debug("miner busy while asked for its capacity", metadata: metadata)
        case .failed(let failure):
            logger.debug("capacity probe failed; keeping the last declaration", metadata: metadata.merging(["failure": "\(failure.label)"]) { $1 })
        }
    }

    /// The plugin's endpoints from a decoded answer; others are ignored. Throws on a negative value.
    static func validated(_ answer: [String: Int], endpoints: [String]) throws(MalformedDeclaration) -> [String: Int] {
        var result: [String: Int] = [:]
        for endpoint in endpoints {
            guard let value = answer[endpoint] else { continue }
            guard value >= 0 else { throw MalformedDeclaration(reason: "capacity for \(endpoint) is negative (\(value))") }
            result[endpoint] = value
        }
        return result
    }

    struct MalformedDeclaration: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }
}
