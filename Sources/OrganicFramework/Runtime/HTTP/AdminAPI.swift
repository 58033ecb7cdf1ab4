import Foundation
public import Hummingbird

/// Operator routes. Bound to loopback by default (`admin.host`); never expose it publicly.
///
/// With an admin token configured every route but `/admin/healthz` requires it. Without one the
/// read-only reports stay open (the node refuses to bind them beyond loopback) and key
/// management answers 503.
enum AdminAPI {
    static func router(store: any ScoreStore, selector: MinerSelector, clock: any NodeClock, scoreBoard: ScoreBoard? = nil,
                       keys: KeyManager?, adminToken: AdminToken) -> Router<OrganicRequestContext> {
        let router = Router(context: OrganicRequestContext.self)
        router.add(middleware: JSONErrorMiddleware())
        router.get("/admin/healthz") { _, _ in ["status": "ok"] }
        let reports = router.group("/admin").add(middleware: AdminTokenMiddleware(token: adminToken, unconfigured: .allow))
        reports.get("scores") { request, _ in
            let window = request.uri.queryParameters.get("window_seconds", as: Double.self) ?? 3600
            guard window.isFinite, window > 0 else {
                throw APIError(.badRequest, code: "invalid_query", message: "window_seconds must be a positive number.", field: "window_seconds")
            }
            let since = clock.now().addingTimeInterval(-window)
            return ScoreReport(windowSeconds: window, miners: try await store.summaries(since: since), standings: await scoreBoard?.standings())
        }
        reports.get("rounds") { request, _ in
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 50
            guard (1...1000).contains(limit) else {
                throw APIError(.badRequest, code: "invalid_query", message: "limit must be between 1 and 1000.", field: "limit")
            }
            return RoundsReport(rounds: try await store.recentRounds(limit: limit))
        }
        reports.get("miners") { _, _ in
            MinersReport(miners: selector.statuses())
        }
        reports.get("queues") { _, _ in
            QueuesReport(endpoints: selector.queueStatuses(), miners: selector.statuses())
        }
        if let scoreBoard { ScoringAdminRoutes.register(on: reports, board: scoreBoard) }
        KeyAdminRoutes.add(to: router.group("/admin/keys").add(middleware: AdminTokenMiddleware(token: adminToken)), keys: keys)
        return router
    }
}

/// `GET /admin/scores`.
public struct ScoreReport: ResponseCodable, Sendable {
    public var windowSeconds: Double
    public var miners: [MinerScoreSummary]
    /// Period-based scores and weights (see Docs/Scoring.md); nil on nodes without scoring.
    public var standings: StandingsReport?
}

struct RoundsReport: ResponseCodable {
    var rounds: [RoundRecord]
}

/// `GET /admin/queues`: queue depth, waits and shedding per endpoint, and miners' load.
public struct QueuesReport: ResponseCodable, Sendable {
    public var endpoints: [QueueStatus]
    public var miners: [MinerStatus]
}

/// `GET /admin/miners`.
public struct MinersReport: ResponseCodable, Sendable {
    public var miners: [MinerStatus]
}
