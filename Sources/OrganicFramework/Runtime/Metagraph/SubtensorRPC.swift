import Foundation
import HummingbirdWSClient
public import Logging

/// One JSON-RPC call to a subtensor node. Separate from the metagraph source so tests
/// and other transports can stand in.
public protocol SubtensorRPC: Sendable {
    /// Calls `method` with string `params` and returns the `result` (a JSON string value,
    /// e.g. `0x…` for `state_call`), or throws the node's error.
    func call(method: String, params: [String]) async throws -> String
}

/// Why a chain call failed.
public enum SubtensorError: Error, Equatable, Sendable, CustomStringConvertible {
    case connection(String)
    case timeout(Double)
    case rpc(code: Int, message: String)
    case badResponse(String)

    public var description: String {
        switch self {
        case .connection(let why): "cannot reach the subtensor node: \(why)"
        case .timeout(let seconds): "no JSON-RPC answer within \(seconds) s"
        case let .rpc(code, message): "subtensor JSON-RPC error \(code): \(message)"
        case .badResponse(let why): "unexpected JSON-RPC answer: \(why)"
        }
    }
}

/// JSON-RPC 2.0 over a WebSocket (`ws://` or `wss://`), one connection per call: the
/// metagraph is read every few minutes, so a short-lived connection keeps no state to heal.
public struct WebSocketSubtensorRPC: SubtensorRPC {
    public let url: String
    public let timeout: Duration
    /// Largest answer accepted (a large subnet's neuron list is a few hundred KiB of hex).
    public let maxMessageBytes: Int
    let logger: Logger

    public init(url: String, timeout: Duration = .seconds(30), maxMessageBytes: Int = 32 << 20, logger: Logger) {
        self.url = url
        self.timeout = timeout
        self.maxMessageBytes = maxMessageBytes
        self.logger = logger
    }

    public func call(method: String, params: [String]) async throws -> String {
        let request = try JSONSerialization.data(withJSONObject: ["jsonrpc": "2.0", "id": 1, "method": method, "params": params])
        let requestText = String(decoding: request, as: UTF8.self)
        let answer = Locked<String?>(nil)
        let limit = maxMessageBytes
        var clientConfiguration = WebSocketClientConfiguration()
        clientConfiguration.maxFrameSize = limit
        let configuration = clientConfiguration
        let seconds = timeout.seconds
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                        try await outbound.write(.text(requestText))
                        for try await message in inbound.messages(maxSize: limit) {
                            guard case .text(let text) = message else { continue }
                            if try Self.isAnswer(text, id: 1) {
                                answer.withLock { $0 = text }
                                return
                            }
                        }
                    }
                } catch let error as SubtensorError {
                    throw error
                } catch {
                    throw SubtensorError.connection(String(describing: error))
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(double: seconds))
                throw SubtensorError.timeout(seconds)
            }
            defer { group.cancelAll() }
            _ = try await group.next()
        }
        guard let text = answer.withLock({ $0 }) else { throw SubtensorError.connection("connection closed before the answer") }
        return try Self.result(of: text)
    }

    /// Whether `text` is the response to request `id` (subscriptions and other ids are skipped).
    static func isAnswer(_ text: String, id: Int) throws -> Bool {
        try JSONRPCResponse.parse(text).id == id
    }

    /// The string `result`, or the JSON-RPC `error` as ``SubtensorError/rpc(code:message:)``.
    static func result(of text: String) throws -> String {
        let response = try JSONRPCResponse.parse(text)
        if let error = response.error {
            throw SubtensorError.rpc(code: error.code ?? 0, message: error.message ?? "")
        }
        switch response.result {
        case .string(let result): return result
        case .missing: throw SubtensorError.badResponse("null result (unknown netuid or runtime API?)")
        case .other: throw SubtensorError.badResponse("result is not a string")
        }
    }
}
