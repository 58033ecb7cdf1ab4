import Hummingbird

/// Admin routes for scoring: `GET /admin/weights` returns the vector that would be set now
/// (what `organic weights --dry-run` prints). Standings are part of `GET /admin/scores`.
enum ScoringAdminRoutes {
    /// `board` finds the score board of the subnet named by `?subnet=` (nil: the first).
    static func register(on reports: RouterGroup<OrganicRequestContext>,
                         board: @escaping @Sendable (String?) throws(APIError) -> ScoreBoard?) {
        reports.get("weights") { request, _ in
            guard let board = try board(request.uri.queryParameters.get("subnet")) else {
                throw APIError(.notFound, code: "no_scoring", message: "This node keeps no scores.")
            }
            return await board.weights()
        }
    }
}

extension WeightReport: ResponseEncodable {}
