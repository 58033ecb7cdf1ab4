import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
@testable import OrganicFramework
import OrganicTestKit
import Testing

/// Every admitted request is settled explicitly, on every path, whenever objects are freed; and
/// an answer is charged only once its last byte is in the caller's socket.
@Suite("Explicit settlement")
struct ExplicitSettlementTests {
    let keys: KeyManager
    var store: any KeyStore { keys.store }
    let settlements: SettlementService
    let access: AccessControl

    init() throws {
        keys = try KeyStoreTests.manager(path: KeyStoreTests.temporaryPath())
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        settlements = SettlementService(store: keys.store, logger: logger)
        access = AccessControl(authenticator: KeyAuthenticator(store: keys.store), limiter: RateLimiter(), store: keys.store,
                               clock: SystemNodeClock(), settlements: settlements, logger: logger)
    }

    /// A key with 10 credits and one request in flight at most, and a request admitted for it holding 2.
    func admitted(_ name: String) async throws -> (id: String, request: PendingRequest) {
        var creation = KeyCreation(name: name, credits: 10)
        creation.maxConcurrent = 1
        let key = try await keys.create(creation)
        let request = try await access.admit(Self.headers(key.key), endpoint: "e")
        try await request.reserve(Credits(millis: 2000))
        return (key.record.id, request)
    }

    static func headers(_ key: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(key)"
        return headers
    }

    /// After the writer: the balance, the ledger's kinds (newest first) and the requests logged;
    /// nothing is held any more.
    func settled(_ id: String) async throws -> (balance: Int64, kinds: [LedgerEntry.Kind], requests: Int) {
        await settlements.flush()
        let statement = try await store.statement(id: id, limit: 100)
        #expect(statement.balance.millis == statement.ledger.reduce(0) { $0 + $1.amount.millis })
        #expect(try await store.heldInMemory(id: id) == .zero)
        let usage = try await store.usage(id: id, since: Date(timeIntervalSince1970: 0))
        return (statement.balance.millis, statement.ledger.map(\.kind), usage.reduce(0) { $0 + $1.requests })
    }

    @Test("an answer handed over whose connection goes before its writer starts is released, and a late writer charges nothing")
    func connectionGoesBeforeWriter() async throws {
        let (id, request) = try await admitted("unwritten")
        let connection = DisconnectSignal()
        request.handOver(watching: connection)
        #expect(!request.isFinished)
        connection.disconnect()
        #expect(request.isFinished)
        #expect(!request.startWriting())
        request.finish(status: 200, delivered: true)
        let after = try await settled(id)
        #expect(after.balance == 10_000)
        #expect(after.kinds == [.grant], "released: no ledger line")
        #expect(after.requests == 1)
        #expect(access.unsettledDrops.load(ordering: .relaxed) == 0)
    }

    @Test("an answer handed to a connection already gone is released at once")
    func connectionAlreadyGone() async throws {
        let (id, request) = try await admitted("gone")
        let connection = DisconnectSignal()
        connection.disconnect()
        request.handOver(watching: connection)
        #expect(request.isFinished)
        #expect(try await settled(id).balance == 10_000)
    }

    @Test("once its writer started, the connection's end no longer settles the request: the writer does")
    func writerSettles() async throws {
        let (id, request) = try await admitted("written")
        let connection = DisconnectSignal()
        request.handOver(watching: connection)
        #expect(request.startWriting())
        connection.disconnect()
        #expect(!request.isFinished)
        request.finish(status: 200, delivered: true, charged: Credits(millis: 1500))
        let after = try await settled(id)
        #expect(after.balance == 10_000 - 1500)
        #expect(after.kinds == [.charge, .grant])
        #expect(connection.state.withLock { $0.observers.isEmpty })
    }

    @Test("a writer that starts first leaves no observer behind on a keep-alive connection")
    func noObserverLeak() async throws {
        let (_, request) = try await admitted("keepalive")
        let connection = DisconnectSignal()
        request.handOver(watching: connection)
        #expect(connection.state.withLock { $0.observers.count } == 1)
        request.startWriting()
        #expect(connection.state.withLock { $0.observers.isEmpty })
        request.finish(status: 200, delivered: true)
    }

    @Test("a request dropped unsettled (a bug) is counted and released, never charged")
    func droppedUnsettled() async throws {
        var id = ""
        do {
            let (key, request) = try await admitted("dropped")
            id = key
            _ = request
        }
        #expect(access.unsettledDrops.load(ordering: .relaxed) == 1)
        let after = try await settled(id)
        #expect(after.balance == 10_000)
        #expect(after.kinds == [.grant], "released: no ledger line")
    }

    // MARK: What reached the socket

    static func head(token: UInt64?) -> HTTPServerResponsePart {
        var headers = HTTPHeaders([("content-type", "application/json")])
        if let token { headers.add(name: ResponseFlushes.tokenHeaderName, value: String(token)) }
        return .head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))
    }

    @Test("the end of a marked answer is reported only once written to the socket; the internal header is never sent")
    func endReportedWhenWritten() async throws {
        let flushes = ResponseFlushes()
        let channel = EmbeddedChannel(handler: ResponseFlushHandler(flushes: flushes))
        var fields = HTTPFields()
        let token = try #require(flushes.mark(&fields))
        try channel.writeOutbound(Self.head(token: token))
        try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "{\"a\":1}"))))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        let report = await flushes.report(for: token)
        #expect(report == FlushReport(bodyBytes: 7, ended: true))
        guard case .head(let sent) = try channel.readOutbound(as: HTTPServerResponsePart.self) else {
            Issue.record("no head written")
            return
        }
        #expect(sent.headers[ResponseFlushes.tokenHeaderName].isEmpty)
        _ = try channel.finish()
    }

    @Test("an answer whose end is still queued when the connection goes is reported unended, with the bytes the socket took")
    func cutBeforeEnd() async throws {
        let flushes = ResponseFlushes()
        let channel = EmbeddedChannel(handler: ResponseFlushHandler(flushes: flushes))
        var fields = HTTPFields()
        let token = try #require(flushes.mark(&fields))
        try channel.writeOutbound(Self.head(token: token))
        try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "abc"))))
        // Queued, not flushed: what a node killed now would never have sent.
        channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "defgh"))), promise: nil)
        channel.write(HTTPServerResponsePart.end(nil), promise: nil)
        _ = try? channel.finish()
        #expect(await flushes.report(for: token) == FlushReport(bodyBytes: 3, ended: false))
        // Unmarked answers are not followed, and asking after the close does not wait.
        var more = HTTPFields()
        let late = try #require(flushes.mark(&more))
        #expect(await flushes.report(for: late) == FlushReport(bodyBytes: 0, ended: false))
    }

    @Test("a streamed answer is charged for the chunks whose writes the socket took whole")
    func streamProgress() {
        var progress = StreamProgress()
        progress.wrote(10, chunks: 1)
        progress.wrote(0, chunks: 1)
        progress.wrote(25, chunks: 3)
        progress.wrote(5, chunks: 4)
        // Delivered in relay batches that do not line up with the writes: the count decides.
        let batches = [["a", "b"], ["c"], ["d"]]
        let chunks = ["a", "b", "c", "d"]
        #expect(progress.reached(batches, report: nil) == chunks)
        #expect(progress.reached(batches, report: FlushReport(bodyBytes: 9, ended: false)).isEmpty)
        #expect(progress.reached(batches, report: FlushReport(bodyBytes: 34, ended: false)) == ["a"])
        #expect(progress.reached(batches, report: FlushReport(bodyBytes: 35, ended: false)) == ["a", "b", "c"])
        #expect(progress.reached(batches, report: FlushReport(bodyBytes: 40, ended: true)) == chunks)
    }
}
