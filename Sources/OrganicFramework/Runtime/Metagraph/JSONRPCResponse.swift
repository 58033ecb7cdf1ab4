import Foundation

/// A JSON-RPC 2.0 message from a Subtensor node: an answer (`id` with `result` or `error`) or a
/// notification without an `id`.
struct JSONRPCResponse: Decodable {
    struct Failure: Decodable {
        var code: Int?
        var message: String?
    }

    /// What `result` held: the SCALE hex string the calls here expect, null or absent, or another JSON value.
    enum Result {
        case string(String)
        case missing
        case other
    }

    var id: Int?
    var error: Failure?
    var result: Result

    enum CodingKeys: String, CodingKey { case id, error, result }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Ids of other shapes (strings from other clients) are not ours: read as none.
        id = try? c.decodeIfPresent(Int.self, forKey: .id)
        error = try? c.decodeIfPresent(Failure.self, forKey: .error)
        if try !c.contains(.result) || c.decodeNil(forKey: .result) {
            result = .missing
        } else if let text = try? c.decode(String.self, forKey: .result) {
            result = .string(text)
        } else {
            result = .other
        }
    }

    /// Parses one WebSocket text message.
    static func parse(_ text: String) throws(SubtensorError) -> JSONRPCResponse {
        do {
            return try JSONDecoder().decode(JSONRPCResponse.self, from: Data(text.utf8))
        } catch {
            throw SubtensorError.badResponse("not a JSON object")
        }
    }
}
