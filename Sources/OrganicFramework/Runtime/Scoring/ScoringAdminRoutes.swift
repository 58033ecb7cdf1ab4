public import Hummingbird

/// Admin routes for scoring: `GET /admin/weights` returns the vector that would be set now
/// (what `organic weights --dry-run` prints). Standings are part of `GET /admin/scores`.
enum ScoringAdminRoutes {
    static func register(on router: Router<OrganicRequestContext>, board: ScoreBoard) {
        router.get("/admin/weights") { _, _ in
            await board.weights()
        }
    }
}

extension WeightReport: ResponseEncodable {}
