import Logging

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

    /// The service that asks miners for their declared capacities, when a plugin declares one.
    static func capacityProbe(plugins: [any SubnetPlugin], endpoints: [String], selector: MinerSelector, transport: any MinerTransport,
                              configuration: NodeConfiguration, clock: any NodeClock, logger: Logger) -> CapacityProbeService? {
        let served = Set(endpoints)
        let targets = plugins.compactMap { plugin -> CapacityProbeService.Target? in
            guard let declaration = plugin.capacityDeclaration else { return nil }
            // Endpoints that route by model are declared per model too (`<endpoint>/<model>`).
            let names = plugin.endpoints.map(\.descriptor).filter { served.contains($0.name) }.flatMap { d in
                [d.name] + (d.routesByModel ? d.models.map { d.task(model: $0) } : [])
            }
            return names.isEmpty ? nil : CapacityProbeService.Target(plugin: type(of: plugin).name, declaration: declaration, endpoints: names)
        }
        guard !targets.isEmpty else { return nil }
        let interval = Duration.seconds(double: configuration.dispatch.capacityProbeSeconds)
        return CapacityProbeService(targets: targets, selector: selector, transport: transport, interval: interval,
                                    timeout: min(.seconds(5), interval), clock: clock, logger: logger)
    }
}
