import Foundation
public import Hummingbird

/// Operator routes. Bound to loopback by default (`admin.host`); never expose it publicly.
enum AdminAPI {
    static func router(store: any ScoreStore, selector: MinerSelector, clock: any NodeClock) -> Router<OrganicRequestContext> {
        let router = Router(context: OrganicRequestContext.self)
        router.add(middleware: JSONErrorMiddleware())
        router.get("/admin/healthz") { _, _ in ["status": "ok"] }
        router.get("/admin/scores") { request, _ in
            let window = request.uri.queryParameters.get("window_seconds", as: Double.self) ?? 3600
            guard window.isFinite, window > 0 else {
                throw APIError(.badRequest, code: "invalid_query", message: "window_seconds must be a positive number.", field: "window_seconds")
            }
            let since = clock.now().addingTimeInterval(-window)
            return ScoreReport(windowSeconds: window, miners: try await store.summaries(since: since))
        }
        router.get("/admin/rounds") { request, _ in
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 50
            guard (1...1000).contains(limit) else {
                throw APIError(.badRequest, code: "invalid_query", message: "limit must be between 1 and 1000.", field: "limit")
            }
            return RoundsReport(rounds: try await store.recentRounds(limit: limit))
        }
        router.get("/admin/miners") { _, _ in
            MinersReport(miners: selector.statuses())
        }
        router.get("/admin/queues") { _, _ in
            QueuesReport(endpoints: selector.queueStatuses(), miners: selector.statuses())
        }
        return router
    }
}

/// `GET /admin/scores`.
public struct ScoreReport: ResponseCodable, Sendable {
    public var windowSeconds: Double
    public var miners: [MinerScoreSummary]
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
