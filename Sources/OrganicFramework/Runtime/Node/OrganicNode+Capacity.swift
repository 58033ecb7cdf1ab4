import Logging
import OrganicCrypto

extension OrganicNode {
    /// The operator's default miner capacity for each served endpoint
    /// (`dispatch.endpoints.<name>.minerCapacity`, else `dispatch.defaultMinerCapacity`), after
    /// checking every capacity setting: all at least 1, and `miners[].capacities` naming only
    /// endpoints the node serves.
    static func validatedEndpointCapacities(_ configuration: NodeConfiguration, endpoints: [String]) throws(ConfigurationError) -> [String: Int] {
        let d = configuration.dispatch
        guard d.maxDeclaredCapacity >= 1 else { throw ConfigurationError("dispatch.maxDeclaredCapacity must be at least 1") }
        guard d.capacityProbeSeconds.isFinite, d.capacityProbeSeconds >= 1 else {
            throw ConfigurationError("dispatch.capacityProbeSeconds must be at least 1")
        }
        for (name, override) in d.endpoints.sorted(by: { $0.key < $1.key }) {
            if let capacity = override.minerCapacity, capacity < 1 {
                throw ConfigurationError("dispatch.endpoints.\(name).minerCapacity must be at least 1")
            }
        }
        let served = Set(endpoints)
        for (index, miner) in configuration.miners.enumerated() {
            for (name, capacity) in (miner.capacities ?? [:]).sorted(by: { $0.key < $1.key }) {
                // `<endpoint>/<model>` sets the capacity for one model of an endpoint that routes by model.
                let endpoint = name.split(separator: "/", maxSplits: 1).first.map(String.init) ?? name
                guard served.contains(name) || served.contains(endpoint) else {
                    throw ConfigurationError("miners[\(index)].capacities.\(name): no endpoint of that name is served (known: \(served.sorted().joined(separator: ", ")))")
                }
                guard capacity >= 1 else { throw ConfigurationError("miners[\(index)].capacities.\(name) must be at least 1") }
            }
        }
        var capacities: [String: Int] = [:]
        for name in endpoints { capacities[name] = d.endpoints[name]?.minerCapacity ?? d.defaultMinerCapacity }
        return capacities
    }

    /// The service that asks a subnet's miners for their declared capacities, when a plugin
    /// declares one, over the plugin's protocol. Axon miners have no such route and are not asked.
    static func capacityProbe(plan: SubnetPlan, selector: MinerSelector, transports: MinerTransportFactory, keypair: Sr25519Keypair?,
                              clock: any NodeClock, logger: Logger) throws(ConfigurationError) -> CapacityProbeService? {
        let served = Set(plan.routes.map(\.descriptor.name))
        var targets: [CapacityProbeService.Target] = []
        for plugin in plan.plugins {
            let name = type(of: plugin).name
            guard let declaration = plugin.capacityDeclaration else { continue }
            let chosen = plan.pluginProtocols[name] ?? .unsigned
            guard chosen != .axonSynapse else {
                logger.notice("not asking Axon miners for their capacity (the SDK has no such route); configured capacities apply",
                              metadata: ["plugin": "\(name)"])
                continue
            }
            // Endpoints that route by model are declared per model too (`<endpoint>/<model>`).
            let names = plugin.endpoints.map(\.descriptor).filter { served.contains($0.name) }.flatMap { d in
                [d.name] + (d.routesByModel ? d.models.map { d.task(model: $0) } : [])
            }
            guard !names.isEmpty else { continue }
            let transport = try transports.transport(chosen, keypair: keypair, synapse: nil, endpoint: "\(name) capacity")
            targets.append(CapacityProbeService.Target(plugin: name, declaration: declaration, endpoints: names, transport: transport))
        }
        guard !targets.isEmpty else { return nil }
        let interval = Duration.seconds(double: plan.configuration.dispatch.capacityProbeSeconds)
        return CapacityProbeService(targets: targets, selector: selector, interval: interval,
                                    timeout: min(.seconds(5), interval), clock: clock, logger: logger)
    }
}
