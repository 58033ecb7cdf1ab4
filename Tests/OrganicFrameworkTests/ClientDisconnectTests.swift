import Foundation
import OrganicFramework
import OrganicMinerKit
import OrganicTestKit
import PropertyBased
import Synchronization
import TextEmbeddingPlugin
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A caller who goes away while its request waits leaves the queue at once and pays nothing.
@Suite("Client disconnects")
struct ClientDisconnectTests {
    func selector(clock: ManualNodeClock) -> MinerSelector {
        let neuron = Neuron(uid: 1, hotkey: "m1", url: "http://127.0.0.1:9001", capacity: 1)
        let policy = MinerSelector.Policy(scheduling: SchedulingPolicy(maxQueueDepth: 1_000))
        return MinerSelector(metagraph: Metagraph(neurons: [neuron]), policy: policy, clock: clock, random: OrganicRandom(seed: 5))
    }

    func ticket(_ signal: DisconnectSignal?) -> AdmissionTicket {
        AdmissionTicket(endpoint: "e", traffic: .organic, flow: "k", miners: 1, maxWait: .seconds(60), disconnect: signal)
    }

    @Test("a queued request whose caller disconnects leaves the queue before its deadline")
    func queuedRequestLeaves() async throws {
        let clock = ManualNodeClock()
        let s = selector(clock: clock)
        let busy = try await s.admit(ticket(nil), scored: false)
        let signal = DisconnectSignal()
        let waiting = Task { try await s.admit(self.ticket(signal), scored: false) }
        let behind = Task { try await s.admit(self.ticket(nil), scored: false) }
        #expect(await eventually { s.queueStatuses().first?.queuedOrganic == 2 })

        signal.disconnect()  // the clock never moves: only the signal can end the wait
        let outcome = await waiting.result
        #expect(throws: AdmissionRefusal.clientDisconnected) { _ = try outcome.get() }
        let status = try #require(s.queueStatuses().first)
        #expect(status.queuedOrganic == 1)
        #expect(status.disconnected == 1)
        #expect(status.shedDeadline == 0)

        // The freed place goes to the request behind it, not to the departed one.
        s.release(busy[0], endpoint: "e", result: .success)
        #expect(try await behind.value.map(\.hotkey) == ["m1"])
        #expect(s.queueStatuses().first?.admittedAfterWait == 1)
    }

    @Test("a caller already gone when its request would queue is refused at once; a granted one keeps its miner")
    func alreadyGoneAndGranted() async throws {
        let clock = ManualNodeClock()
        let s = selector(clock: clock)
        let signal = DisconnectSignal()
        let granted = try await s.admit(ticket(signal), scored: false)
        signal.disconnect()  // after the grant: the miner stays reserved until released
        #expect(s.statuses().first?.inFlight == 1)

        let gone = DisconnectSignal()
        gone.disconnect()
        await #expect(throws: AdmissionRefusal.clientDisconnected) { _ = try await s.admit(self.ticket(gone), scored: false) }
        #expect(s.queueStatuses().first?.queuedOrganic == 0)
        #expect(s.queueStatuses().first?.disconnected == 1)
        s.release(granted[0], endpoint: "e", result: .success)
        #expect(s.statuses().first?.inFlight == 0)
        // Even with the miner free, a departed caller takes nothing.
        await #expect(throws: AdmissionRefusal.clientDisconnected) { _ = try await s.admit(self.ticket(gone), scored: false) }
        #expect(s.statuses().first?.inFlight == 0)
        #expect(s.queueStatuses().first?.disconnected == 2)
    }

    @Test("over random departures, exactly the callers who stayed are served, and departed entries stay bounded")
    func randomDepartures() async {
        await propertyCheck(count: 8, input: Gen.int(in: 300...700), Gen.int(in: 1...4), Gen.double(in: 0.2...0.98), Gen.uint64()) {
            waiting, keys, leaveShare, seed in
            let s = selector(clock: ManualNodeClock())
            let held = try await s.admit(ticket(nil), scored: false)
            let signals = (0..<waiting).map { _ in DisconnectSignal() }
            let served = OrderLog()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (i, signal) in signals.enumerated() {
                    let ticket = AdmissionTicket(endpoint: "e", traffic: .organic, flow: "k\(i % keys)", miners: 1, maxWait: .seconds(60),
                                                 disconnect: signal)
                    group.addTask {
                        guard let miners = try? await s.admit(ticket, scored: false) else { return }
                        served.append("\(i)")
                        s.release(miners[0], endpoint: "e", result: .success)  // hand the slot straight on
                    }
                }
                #expect(await eventually { s.queueStatuses().first?.queuedOrganic == waiting })
                var random = OrganicRandom(seed: seed)
                var stayed = Set<String>()
                for (i, signal) in signals.enumerated() {
                    if Double.random(in: 0..<1, using: &random) < leaveShare {
                        signal.disconnect()
                        let status = s.queueStatuses().first
                        #expect((status?.staleEntries ?? 0) <= max(256, status?.queuedOrganic ?? 0))
                    } else {
                        stayed.insert("\(i)")
                    }
                }
                // A waiter counted as queued may not have started observing its signal yet; it
                // then finds the signal raised when it does.
                #expect(await eventually { s.queueStatuses().first?.disconnected == waiting - stayed.count })
                let status = s.queueStatuses().first
                #expect(status?.queuedOrganic == stayed.count)
                let departed = waiting - stayed.count
                if departed > 256 + stayed.count { #expect((status?.staleEntries ?? 0) < departed) }  // compacted
                s.release(held[0], endpoint: "e", result: .success)
                try await group.waitForAll()
                #expect(Set(served.entries) == stayed)
                #expect(served.entries.count == stayed.count)
                #expect(s.queueStatuses().first?.queuedOrganic == 0)
                #expect(s.queueStatuses().first?.staleEntries == 0)
                #expect(s.statuses().first?.inFlight == 0)
            }
        }
    }

    @Test("the signal notifies each observer once, never after it stopped observing, and refuses late observers")
    func signalSemantics() {
        let signal = DisconnectSignal()
        let calls = Mutex([String]())
        let a = signal.observe { calls.withLock { $0.append("a") } }
        let b = signal.observe { calls.withLock { $0.append("b") } }
        #expect(a != nil && b != nil && a != b)
        if let b { signal.stopObserving(b) }
        signal.disconnect()
        signal.disconnect()
        #expect(calls.withLock { $0 } == ["a"])
        #expect(signal.isDisconnected)
        #expect(signal.observe { calls.withLock { $0.append("late") } } == nil)
        #expect(calls.withLock { $0 } == ["a"])
    }

    @Test("over real HTTP: a socket closed while queued, or while its miner works, is never charged")
    func overHTTP() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 0
        configuration.dispatch.retries = 0
        var override = NodeConfiguration.EndpointOverride()
        override.timeoutSeconds = 30  // requests may wait 15 s: far longer than this test looks
        configuration.dispatch.endpoints["text-embeddings"] = override
        // One miner taking one request at a time, each for 3 s (time enough, even on a busy
        // machine, to queue the second request behind the first).
        let miners = [LocalNetwork.MinerSpec(faults: .alwaysSlow(3), capacity: 1)]
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: miners, configuration: configuration) { net in
            let key = try await net.createKey(KeyCreation(name: "leaver", credits: 10))
            let body = try JSONEncoder().encode(TextEmbeddingRequest(input: ["wait"], dimensions: 64))
            let first = Task {
                try await net.anonymousClient.send("POST", net.publicURL + "/v1/text-embeddings", body: body, headers: ["X-API-Key": key.key])
            }
            #expect(try await eventually { try await net.queueStatus("text-embeddings")?.admittedImmediately == 1 })

            let port = try #require(URLComponents(string: net.publicURL)?.port)
            let socket = try RawClientSocket(port: port)
            try socket.send("POST /v1/text-embeddings HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: \(key.key)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n" + String(decoding: body, as: UTF8.self))
            #expect(try await eventually { try await net.queueStatus("text-embeddings")?.queuedOrganic == 1 })
            socket.close()
            #expect(try await eventually { try await net.queueStatus("text-embeddings")?.disconnected == 1 })

            let status = try #require(try await net.queueStatus("text-embeddings"))
            #expect(status.queuedOrganic == 0)
            #expect(status.shedDeadline == 0)
            let reply = try await first.value
            #expect(reply.status == 200)
            // Only the request that was answered is charged; the other's hold was released.
            // Every settlement writes the request's usage line, and gives its hold back.
            @Sendable func settled() async throws -> Int {
                guard let keys = net.context.keys, try await keys.show(id: key.record.id, ledgerLimit: 0).held == .zero else { return 0 }
                return try await keys.usage(id: key.record.id, days: 1).days.reduce(0) { $0 + $1.requests }
            }
            #expect(try await eventually { try await settled() >= 2 })
            var details = try #require(try await net.context.keys?.show(id: key.record.id, ledgerLimit: 100))
            #expect(details.ledger?.map(\.kind) == [.charge, .grant])
            let price = try #require(TextEmbeddingPlugin().endpoints.first?.descriptor.price)
            #expect(details.balance == Credits(10 - price))
            let usage = try #require(try await net.context.keys?.usage(id: key.record.id, days: 1))
            #expect(usage.days.reduce(0) { $0 + $1.requests } == 2)
            #expect(usage.days.reduce(0) { $0 + $1.successes } == 1)
            #expect(status.admittedAfterWait == 0)

            // Gone after its miner started: the answer comes back but is not charged, even
            // though writing it into the closed socket would not fail at once.
            let late = try RawClientSocket(port: port)
            try late.send("POST /v1/text-embeddings HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: \(key.key)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n" + String(decoding: body, as: UTF8.self))
            #expect(try await eventually { try await net.queueStatus("text-embeddings")?.admittedImmediately == 2 })
            late.close()
            #expect(try await eventually { try await settled() >= 3 })
            details = try #require(try await net.context.keys?.show(id: key.record.id, ledgerLimit: 100))
            #expect(details.ledger?.map(\.kind) == [.charge, .grant])
            #expect(details.balance == Credits(10 - price))
        }
    }
}

/// A bare TCP client, so that the test decides exactly when the connection closes.
final class RawClientSocket {
    let descriptor: Int32

    init(port: Int) throws {
        #if canImport(Glibc)
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw HarnessError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            _ = Glibc.close(descriptor)
            throw HarnessError("connect() failed")
        }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard n > 0 else { throw HarnessError("write() failed") }
            sent += n
        }
    }

    func close() {
        _ = Glibc.close(descriptor)
    }

    /// Stops sending (a half-close): the server sees the end of the request stream.
    func shutdownWrite() {
        _ = shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Everything the server sends until it closes the connection, or what came within `timeout`.
    func receiveAll(timeout: Duration = .seconds(10)) -> String {
        receive(timeout: timeout).text
    }

    /// What the server sent, and whether it closed the connection (false: `timeout` passed first).
    func receive(timeout: Duration) -> (text: String, closed: Bool) {
        var seconds = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n == 0 { return (String(decoding: received, as: UTF8.self), true) }
            guard n > 0 else {
                // A reset is a close too; a timeout is not.
                return (String(decoding: received, as: UTF8.self), errno != EAGAIN && errno != EWOULDBLOCK)
            }
            received += buffer[..<n]
        }
    }
}

extension RawClientSocket {
    /// Runs `body` with the public port of a text-embeddings node that has API keys off and one
    /// honest miner.
    static func withOpenEmbeddingNode(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.auth.enabled = false
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1),
                                    configuration: configuration) { net in
            let port = try #require(URLComponents(string: net.publicURL)?.port)
            try await body(port)
        }
    }
}
