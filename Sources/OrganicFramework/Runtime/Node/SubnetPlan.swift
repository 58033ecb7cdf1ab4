/// One subnet as this node serves it, checked from the configuration before anything starts:
/// its endpoints, its validator identity, where its miners come from, the protocol each
/// endpoint's miners speak, and how its weights are set.
///
/// The default subnet is the top-level `node`, `chain.netuid`, `miners` and `chain.setWeights`
/// with every plugin no `subnets:` entry claims; each entry of `subnets:` is one more. A plan's
/// ``configuration`` is the node's configuration as that subnet sees it (its identity, netuid,
/// miners, weight setting and endpoint weights in the top-level places), so every per-subnet
/// piece is built by the same code as a single-subnet node.
struct SubnetPlan {
    /// `default`, or the entry's name: for logs, the weights file and `/admin/...?subnet=`.
    var name: String
    var configuration: NodeConfiguration
    var plugins: [any SubnetPlugin]
    var routes: [any ServedEndpoint]
    /// The protocol of each endpoint's miners, by endpoint name.
    var protocols: [String: MinerProtocol]
    /// The protocol each plugin's miners speak when no endpoint overrides it (used for the
    /// capacity probe), by plugin name.
    var pluginProtocols: [String: MinerProtocol]
    var settings: DispatchSettings
    var endpointCapacities: [String: Int]
    var scoring: ScoringSettings
    var chainSetter: BittensorWeightSetter?

    static let defaultName = "default"

    /// The plans of a node: the default subnet first (when it has endpoints), then `subnets:` in order.
    static func plans(configuration: NodeConfiguration, plugins: [any SubnetPlugin],
                      routes: [any ServedEndpoint]) throws(ConfigurationError) -> [SubnetPlan] {
        let pluginNames = Set(plugins.map { type(of: $0).name })
        var claimed: [String: String] = [:]
        var names: Set<String> = [defaultName]
        var entries: [(name: String, subnet: NodeConfiguration.Subnet)] = []
        for (index, subnet) in configuration.subnets.enumerated() {
            let at = "subnets[\(index)]"
            let name = subnet.name ?? subnet.netuid.map { "netuid-\($0)" } ?? "subnet-\(index + 1)"
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw ConfigurationError("\(at).name must be letters, digits, '-', '_' or '.'")
            }
            guard names.insert(name).inserted else { throw ConfigurationError("\(at): two subnets are named '\(name)'") }
            guard !subnet.plugins.isEmpty else { throw ConfigurationError("\(at).plugins must name at least one plugin") }
            for plugin in subnet.plugins {
                guard pluginNames.contains(plugin) else {
                    throw ConfigurationError("\(at).plugins: '\(plugin)' is not a loaded plugin (loaded: \(pluginNames.sorted().joined(separator: ", ")))")
                }
                if let other = claimed.updateValue(name, forKey: plugin) {
                    throw ConfigurationError("\(at).plugins: '\(plugin)' already belongs to subnet '\(other)'")
                }
            }
            if let netuid = subnet.netuid, UInt16(exactly: netuid) == nil { throw ConfigurationError("\(at).netuid must be 0...65535") }
            if subnet.setWeights == true, subnet.netuid == nil { throw ConfigurationError("\(at).setWeights needs \(at).netuid") }
            entries.append((name, subnet))
        }
        try checkEndpointWeights(configuration, routes: routes)

        var plans: [SubnetPlan] = []
        let defaultPlugins = plugins.filter { claimed[type(of: $0).name] == nil }
        if !defaultPlugins.isEmpty || entries.isEmpty {
            plans.append(try plan(name: defaultName, configuration: configuration, subnet: nil, plugins: defaultPlugins, routes: routes))
        }
        for entry in entries {
            var scoped = configuration
            if let node = entry.subnet.node { scoped.node = node }
            scoped.chain.netuid = entry.subnet.netuid
            scoped.miners = entry.subnet.miners ?? []
            scoped.chain.setWeights = entry.subnet.setWeights ?? false
            let members = plugins.filter { entry.subnet.plugins.contains(type(of: $0).name) }
            plans.append(try plan(name: entry.name, configuration: scoped, subnet: entry.subnet, plugins: members, routes: routes))
        }
        return plans
    }

    static func plan(name: String, configuration: NodeConfiguration, subnet: NodeConfiguration.Subnet?, plugins: [any SubnetPlugin],
                     routes allRoutes: [any ServedEndpoint]) throws(ConfigurationError) -> SubnetPlan {
        let members = Set(plugins.map { type(of: $0).name })
        let routes = allRoutes.filter { members.contains($0.pluginName) }
        var scoped = configuration
        let endpointNames = Set(routes.map(\.descriptor.name))
        scoped.scoring.endpointWeights = configuration.scoring.endpointWeights.filter { endpointNames.contains($0.key) }
        let at = subnet == nil ? "" : "subnet '\(name)': "
        let settings: DispatchSettings
        let endpointCapacities: [String: Int]
        let scoring: ScoringSettings
        do {
            settings = try OrganicNode.validated(scoped)
            endpointCapacities = try OrganicNode.validatedEndpointCapacities(scoped, endpoints: routes.map(\.descriptor.name))
            scoring = try ScoringSettings(configuration: scoped, endpoints: routes.map(\.descriptor.name))
        } catch {
            throw ConfigurationError(at + error.description)
        }
        let chainSetter: BittensorWeightSetter?
        do { chainSetter = try BittensorWeightSetter.configured(by: scoped) } catch { throw ConfigurationError(at + error.description) }

        let signingDefault: MinerProtocol = switch configuration.dispatch.signing {
        case .btauth: .btauth
        case .epistula: .epistula
        case .none: .unsigned
        }
        var pluginProtocols: [String: MinerProtocol] = [:]
        for plugin in plugins {
            // The operator's explicit settings beat the plugin's default: they know their miners.
            pluginProtocols[type(of: plugin).name] = subnet?.minerProtocol ?? configuration.dispatch.minerProtocol
                ?? plugin.minerProtocol ?? signingDefault
        }
        var protocols: [String: MinerProtocol] = [:]
        for route in routes {
            let d = route.descriptor
            let chosen = configuration.dispatch.endpoints[d.name]?.minerProtocol ?? pluginProtocols[route.pluginName] ?? signingDefault
            if chosen == .axonSynapse {
                guard let synapse = d.synapse else {
                    throw ConfigurationError("\(at)endpoint '\(d.name)' reaches its miners over the Axon protocol but names no synapse: "
                        + "set dispatch.endpoints.\(d.name).synapse.name (the miner's Python class name)")
                }
                guard !synapse.name.isEmpty, synapse.name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw ConfigurationError("\(at)endpoint '\(d.name)': synapse name '\(synapse.name)' is not a Python class name")
                }
            }
            protocols[d.name] = chosen
        }
        return SubnetPlan(name: name, configuration: scoped, plugins: plugins, routes: routes, protocols: protocols,
                          pluginProtocols: pluginProtocols, settings: settings, endpointCapacities: endpointCapacities,
                          scoring: scoring, chainSetter: chainSetter)
    }

    /// `scoring.endpointWeights` may only name served endpoints; each subnet's shares are
    /// checked (sum to 1) when its plan is built.
    static func checkEndpointWeights(_ configuration: NodeConfiguration, routes: [any ServedEndpoint]) throws(ConfigurationError) {
        let served = Set(routes.map(\.descriptor.name))
        if let unknown = configuration.scoring.endpointWeights.keys.sorted().first(where: { !served.contains($0) }) {
            throw ConfigurationError("scoring.endpointWeights names unknown endpoint '\(unknown)'")
        }
    }

    /// The protocols this subnet uses, for the start-up log.
    var protocolSummary: String {
        Set(protocols.values).map(\.rawValue).sorted().joined(separator: ", ")
    }
}
