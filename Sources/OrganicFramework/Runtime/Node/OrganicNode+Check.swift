import Foundation
public import Logging

extension OrganicNode {
    /// Everything a node takes from its configuration, checked without opening the database, the
    /// network or the wallet.
    struct CheckedConfiguration {
        var routes: [any ServedEndpoint]
        var adminToken: AdminToken
        /// The default subnet first (when it has endpoints), then `subnets:` in order.
        var subnets: [SubnetPlan]
        /// The Stripe webhook, when `payments.stripe.enabled` (its secret read and checked).
        var stripe: StripeWebhookSettings?
    }

    static func checked(_ configuration: NodeConfiguration, plugins: [any SubnetPlugin]) throws(ConfigurationError) -> CheckedConfiguration {
        _ = try validated(configuration)
        let routes = try routes(for: plugins, overrides: configuration.dispatch.endpoints)
        let adminToken = try AdminToken(token: configuration.admin.token, tokenSha256: configuration.admin.tokenSha256)
        if configuration.admin.enabled, !adminToken.isConfigured, !isLoopback(configuration.admin.host) {
            throw ConfigurationError("admin.host \(configuration.admin.host) is reachable beyond this machine: set admin.token "
                + "(ORGANIC_ADMIN_TOKEN) or admin.tokenSha256, or bind the admin API to 127.0.0.1")
        }
        try ScoringAssembly.validateWeights(configuration.weights)
        try configuration.admin.console.validate()
        try configuration.retention.validate()
        let subnets = try SubnetPlan.plans(configuration: configuration, plugins: plugins, routes: routes)
        let stripe = try StripeWebhookSettings.load(configuration.payments.stripe, environment: ProcessInfo.processInfo.environment)
        return CheckedConfiguration(routes: routes, adminToken: adminToken, subnets: subnets, stripe: stripe)
    }

    /// Checks `configuration` with `plugins` as starting a node would, without starting anything
    /// (`organic config check`): every setting's range, endpoint overrides and capacities, the
    /// admin token, scoring and weights, and the metagraph source.
    public static func check(_ configuration: NodeConfiguration, plugins: [any SubnetPlugin], logger: Logger) throws(ConfigurationError) {
        for subnet in try checked(configuration, plugins: plugins).subnets {
            _ = try metagraphSource(for: subnet.configuration, logger: logger)
        }
    }

    /// Whether `host` only accepts connections from this machine.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
