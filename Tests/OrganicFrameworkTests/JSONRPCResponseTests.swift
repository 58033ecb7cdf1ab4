import Foundation
@testable import OrganicFramework
import Testing

/// Subtensor's JSON-RPC answers are read through Codable types, with the same outcomes as before.
@Suite("JSON-RPC answers")
struct JSONRPCResponseTests {
    @Test("the answer to our id is recognised; notifications and other ids are skipped")
    func answerIDs() throws {
        #expect(try WebSocketSubtensorRPC.isAnswer(#"{"jsonrpc":"2.0","id":1,"result":"0x00"}"#, id: 1))
        #expect(try !WebSocketSubtensorRPC.isAnswer(#"{"jsonrpc":"2.0","id":2,"result":"0x00"}"#, id: 1))
        #expect(try !WebSocketSubtensorRPC.isAnswer(#"{"jsonrpc":"2.0","method":"chain_newHead","params":{}}"#, id: 1))
        #expect(try !WebSocketSubtensorRPC.isAnswer(#"{"jsonrpc":"2.0","id":"1","result":"0x00"}"#, id: 1))
        #expect(throws: SubtensorError.self) { try WebSocketSubtensorRPC.isAnswer("[1]", id: 1) }
    }

    @Test("a string result is returned; an error, a null and a non-string result are errors that say which")
    func results() throws {
        #expect(try WebSocketSubtensorRPC.result(of: #"{"jsonrpc":"2.0","id":1,"result":"0x0102"}"#) == "0x0102")
        #expect(throws: SubtensorError.rpc(code: -32601, message: "Method not found")) {
            try WebSocketSubtensorRPC.result(of: #"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}"#)
        }
        #expect(throws: SubtensorError.badResponse("null result (unknown netuid or runtime API?)")) {
            try WebSocketSubtensorRPC.result(of: #"{"jsonrpc":"2.0","id":1,"result":null}"#)
        }
        #expect(throws: SubtensorError.badResponse("result is not a string")) {
            try WebSocketSubtensorRPC.result(of: #"{"jsonrpc":"2.0","id":1,"result":{"a":1}}"#)
        }
        #expect(throws: SubtensorError.badResponse("not a JSON object")) { try WebSocketSubtensorRPC.result(of: "nope") }
    }
}
