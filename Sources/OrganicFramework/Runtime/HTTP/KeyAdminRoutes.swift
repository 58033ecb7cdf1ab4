import Foundation
public import Hummingbird
import NIOCore

/// `/admin/keys…`: the same operations as `organic keys`, behind the admin token.
/// Secrets appear only in the answers to create and rotate.
enum KeyAdminRoutes {
    /// Decodes a JSON body of at most 64 KiB.
    static func body<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: 64 << 10) } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: 64 << 10)
        }
        return try RequestDecoding.decode(T.self, from: buffer)
    }

    /// The node's key manager; 503 on a node without a key database.
    static func manager(_ keys: KeyManager?) throws -> KeyManager {
        guard let keys else {
            throw APIError(.serviceUnavailable, code: "keys_unavailable", message: "This node runs without a key database.")
        }
        return keys
    }

    static func add(to group: RouterGroup<OrganicRequestContext>, keys: KeyManager?) {
        @Sendable func manager() throws -> KeyManager { try Self.manager(keys) }
        @Sendable func id(_ context: OrganicRequestContext) throws -> String {
            guard let id = context.parameters.get("id"), !id.isEmpty else { throw APIError.notFound("No key id given.") }
            return id
        }

        group.get { _, _ in try await manager().list() }
        group.post { request, _ in
            let created = try await manager().create(try await body(KeyCreation.self, request))
            return EncodableResponse(status: .created, value: created)
        }
        group.get(":id") { _, context in
            try await manager().show(id: try id(context))
        }
        group.patch(":id") { request, context in
            try await manager().update(id: try id(context), try await body(KeyChanges.self, request))
        }
        group.post(":id/revoke") { _, context in
            try await manager().revoke(id: try id(context))
        }
        group.post(":id/rotate") { _, context in
            try await manager().rotate(id: try id(context))
        }
        group.post(":id/credits") { request, context in
            let change = try await body(CreditChange.self, request)
            return try await manager().credit(id: try id(context), amount: change.amount, note: change.note, refund: change.refund ?? false,
                                              actor: (change.actor ?? .adminAPI).rawValue)
        }
        group.get(":id/ledger") { request, context in
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 100
            guard (1...10_000).contains(limit) else {
                throw APIError(.badRequest, code: "invalid_query", message: "limit must be between 1 and 10000.", field: "limit")
            }
            return try await manager().show(id: try id(context), ledgerLimit: limit)
        }
        group.get(":id/usage") { request, context in
            let days = request.uri.queryParameters.get("days", as: Int.self) ?? 30
            return try await manager().usage(id: try id(context), days: days)
        }
    }
}

/// `POST /admin/keys/{id}/credits`.
package struct CreditChange: Codable, Sendable {
    /// Credits to add; negative takes credits off (never below zero).
    package var amount: Double
    package var note: String?
    /// Record as a refund rather than a grant.
    package var refund: Bool?
    /// Who the ledger line names; absent: `admin-api`.
    package var actor: Actor?

    /// The actors a caller of the admin API may claim.
    package enum Actor: String, Codable, Sendable {
        /// `organic keys credit` (through the admin API of a running node).
        case cli
        case adminAPI = "admin-api"
    }

    package init(amount: Double, note: String? = nil, refund: Bool? = nil, actor: Actor? = nil) {
        self.amount = amount
        self.note = note
        self.refund = refund
        self.actor = actor
    }
}

/// A value with a status other than 200.
struct EncodableResponse<Value: Encodable & Sendable>: ResponseGenerator {
    let status: HTTPResponse.Status
    let value: Value

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try context.responseEncoder.encode(value, from: request, context: context)
        response.status = status
        return response
    }
}

extension KeyListing: ResponseEncodable {}
extension KeyDetails: ResponseEncodable {}
extension CreatedKey: ResponseEncodable {}
extension CreditResult: ResponseEncodable {}
extension UsageReport: ResponseEncodable {}
extension PaymentListing: ResponseEncodable {}
