public import Hummingbird

/// Admin routes for scoring: `GET /admin/weights` returns the vector that would be set now
/// (what `organic weights --dry-run` prints). Standings are part of `GET /admin/scores`.
enum ScoringAdminRoutes {
    static func register(on reports: RouterGroup<OrganicRequestContext>, board: ScoreBoard) {
        reports.get("weights") { _, _ in
            await board.weights()
        }
    }
}

extension WeightReport: ResponseEncodable {}
