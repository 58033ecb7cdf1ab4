public import Foundation
import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// A small HTTP client for tests that call a node or miner over loopback.
public struct TestHTTPClient: Sendable {
    /// A response as tests inspect it.
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: Data

        /// The body decoded as JSON into `T`.
        public func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try JSONDecoder().decode(T.self, from: body)
        }

        /// The `error.code` of a JSON error body, if any.
        public var errorCode: String? { (try? decode(ErrorEnvelope.self))?.error.code }
        /// The `error.field` of a JSON error body, if any.
        public var errorField: String? { (try? decode(ErrorEnvelope.self))?.error.field }

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct ErrorEnvelope: Decodable {
        struct Detail: Decodable {
            var code: String
            var message: String
            var field: String?
        }
        var error: Detail
    }

    /// Headers sent with every request unless the call sets them (an API key, say).
    public var defaultHeaders: [String: String]

    public init(defaultHeaders: [String: String] = [:]) {
        self.defaultHeaders = defaultHeaders
    }

    /// Sends a request and collects up to 64 MiB of response.
    public func send(_ method: String, _ url: String, body: Data? = nil, headers: [String: String] = [:],
                     timeout: Duration = .seconds(30)) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in defaultHeaders.merging(headers, uniquingKeysWith: { $1 }) { request.headers.add(name: name, value: value) }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
            if headers["Content-Type"] == nil { request.headers.add(name: "Content-Type", value: "application/json") }
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
        let collected = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                     body: Data(collected.readableBytesView))
    }

    public func get(_ url: String) async throws -> Reply {
        try await send("GET", url)
    }

    /// POSTs `value` encoded as JSON.
    public func post(_ url: String, json value: some Encodable) async throws -> Reply {
        try await send("POST", url, body: try JSONEncoder().encode(value))
    }

    /// POSTs raw bytes, for malformed-input tests.
    public func post(_ url: String, raw: Data, headers: [String: String] = [:]) async throws -> Reply {
        try await send("POST", url, body: raw, headers: headers)
    }
}
