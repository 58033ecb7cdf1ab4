public import Logging

extension OrganicNode {
    /// Everything a node takes from its configuration, checked without opening the database, the
    /// network or the wallet.
    struct CheckedConfiguration {
        var settings: DispatchSettings
        var routes: [any ServedEndpoint]
        var endpointCapacities: [String: Int]
        var adminToken: AdminToken
        var scoring: ScoringSettings
        var chainSetter: BittensorWeightSetter?
    }

    static func checked(_ configuration: NodeConfiguration, plugins: [any SubnetPlugin]) throws(ConfigurationError) -> CheckedConfiguration {
        let settings = try validated(configuration)
        let routes = try routes(for: plugins, overrides: configuration.dispatch.endpoints)
        let names = routes.map(\.descriptor.name)
        let endpointCapacities = try validatedEndpointCapacities(configuration, endpoints: names)
        let adminToken = try AdminToken(token: configuration.admin.token, tokenSha256: configuration.admin.tokenSha256)
        if configuration.admin.enabled, !adminToken.isConfigured, !isLoopback(configuration.admin.host) {
            throw ConfigurationError("admin.host \(configuration.admin.host) is reachable beyond this machine: set admin.token "
                + "(ORGANIC_ADMIN_TOKEN) or admin.tokenSha256, or bind the admin API to 127.0.0.1")
        }
        let scoring = try ScoringSettings(configuration: configuration, endpoints: names)
        try ScoringAssembly.validateWeights(configuration.weights)
        return CheckedConfiguration(settings: settings, routes: routes, endpointCapacities: endpointCapacities, adminToken: adminToken,
                                    scoring: scoring, chainSetter: try BittensorWeightSetter.configured(by: configuration))
    }

    /// Checks `configuration` with `plugins` as starting a node would, without starting anything
    /// (`organic config check`): every setting's range, endpoint overrides and capacities, the
    /// admin token, scoring and weights, and the metagraph source.
    public static func check(_ configuration: NodeConfiguration, plugins: [any SubnetPlugin], logger: Logger) throws(ConfigurationError) {
        _ = try checked(configuration, plugins: plugins)
        _ = try metagraphSource(for: configuration, logger: logger)
    }

    /// Whether `host` only accepts connections from this machine.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
