import Foundation
import Hummingbird

/// `GET /admin/status`: which database this instance uses and whether it is the leader (the
/// one instance of those sharing a PostgreSQL database that sets weights, sends synthetic
/// queries and reads the metagraph; a SQLite node always is).
struct InstanceStatus: Sendable, Codable, ResponseEncodable {
    var backend: String
    var role: Leadership.Role
    var leader: Bool

    static func register(on group: RouterGroup<OrganicRequestContext>, backend: NodeStores.Backend, leadership: Leadership) {
        group.get("status") { _, _ in
            InstanceStatus(backend: backend.rawValue, role: leadership.role, leader: leadership.isLeader)
        }
    }
}
