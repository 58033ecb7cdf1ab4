import Foundation
import Hummingbird

/// Operator routes. Bound to loopback by default (`admin.host`); never expose it publicly.
///
/// With an admin token configured every route but `/admin/healthz` requires it. Without one the
/// read-only reports and `/metrics` stay open (the node refuses to bind them beyond loopback) and key
/// management answers 503.
enum AdminAPI {
    /// One subnet's miners and scores, as the reports show them.
    struct Subnet: Sendable {
        var name: String
        var selector: MinerSelector
        var scoreBoard: ScoreBoard?
    }

    /// `subnets` come in the node's order; reports that take `?subnet=<name>` default to the first.
    static func router(store: any ScoreStore, subnets: [Subnet], clock: any NodeClock, keys: KeyManager?,
                       adminToken: AdminToken, metrics: NodeMetrics, console: NodeConfiguration.Console = .init(),
                       instance: (backend: NodeStores.Backend, leadership: Leadership) = (.sqlite, Leadership(.leader))) throws -> Router<OrganicRequestContext> {
        let router = Router(context: OrganicRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: JSONErrorMiddleware())
        router.get("/admin/healthz") { _, _ in ["status": "ok"] }
        let reports = router.group("/admin").add(middleware: AdminTokenMiddleware(token: adminToken, unconfigured: .allow))
        reports.get("scores") { request, _ in
            let window = request.uri.queryParameters.get("window_seconds", as: Double.self) ?? 3600
            guard window.isFinite, window > 0 else {
                throw APIError(.badRequest, code: "invalid_query", message: "window_seconds must be a positive number.", field: "window_seconds")
            }
            let subnet = try Self.subnet(named: request.uri.queryParameters.get("subnet"), in: subnets)
            let since = clock.now().addingTimeInterval(-window)
            return ScoreReport(windowSeconds: window, miners: try await store.summaries(since: since),
                               standings: await subnet?.scoreBoard?.standings(), subnet: subnet?.name,
                               subnets: subnets.map(\.name))
        }
        reports.get("rounds") { request, _ in
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 50
            guard (1...1000).contains(limit) else {
                throw APIError(.badRequest, code: "invalid_query", message: "limit must be between 1 and 1000.", field: "limit")
            }
            return RoundsReport(rounds: try await store.recentRounds(limit: limit))
        }
        reports.get("miners") { _, _ in
            MinersReport(miners: subnets.flatMap { $0.selector.statuses() })
        }
        reports.get("queues") { _, _ in
            QueuesReport(endpoints: subnets.flatMap { $0.selector.queueStatuses() }, miners: subnets.flatMap { $0.selector.statuses() })
        }
        InstanceStatus.register(on: reports, backend: instance.backend, leadership: instance.leadership)
        ScoringAdminRoutes.register(on: reports) { name throws(APIError) in try Self.subnet(named: name, in: subnets)?.scoreBoard }
        KeyAdminRoutes.add(to: router.group("/admin/keys").add(middleware: AdminTokenMiddleware(token: adminToken)), keys: keys)
        if console.enabled {
            try OperatorConsole(keys: keys, store: store, subnets: subnets, clock: clock, token: adminToken, settings: console).register(on: router)
        }
        PaymentAdminRoutes.add(to: router.group("/admin/payments").add(middleware: AdminTokenMiddleware(token: adminToken)), keys: keys)
        MetricsRoute.register(on: router, metrics: metrics, subnets: subnets, adminToken: adminToken)
        return router
    }

    /// The subnet `name` (the first when nil); 404 for a name the node does not serve.
    static func subnet(named name: String?, in subnets: [Subnet]) throws(APIError) -> Subnet? {
        guard let name else { return subnets.first }
        guard let subnet = subnets.first(where: { $0.name == name }) else {
            throw APIError(.notFound, code: "unknown_subnet",
                           message: "This node serves no subnet named '\(name)' (it serves: \(subnets.map(\.name).joined(separator: ", "))).",
                           field: "subnet")
        }
        return subnet
    }
}

/// `GET /admin/scores`.
package struct ScoreReport: ResponseCodable, Sendable {
    package var windowSeconds: Double
    package var miners: [MinerScoreSummary]
    /// Period-based scores and weights of one subnet (see Docs/Scoring.md); nil on nodes without scoring.
    package var standings: StandingsReport?
    /// The subnet `standings` are for (`?subnet=`, default the first).
    package var subnet: String?
    /// Every subnet this node serves.
    package var subnets: [String]
}

struct RoundsReport: ResponseCodable {
    var rounds: [RoundRecord]
}

/// `GET /admin/queues`: queue depth, waits and shedding per endpoint, and miners' load.
package struct QueuesReport: ResponseCodable, Sendable {
    package var endpoints: [QueueStatus]
    package var miners: [MinerStatus]
}

/// `GET /admin/miners`.
package struct MinersReport: ResponseCodable, Sendable {
    package var miners: [MinerStatus]
}
