import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OrganicFramework
import OrganicTestKit
import TextEmbeddingPlugin
import Testing

/// A browser's view of the console over plain HTTP: redirects are not followed, so that each
/// answer is seen as sent; the session cookie is kept by the caller.
struct ConsoleBrowser: Sendable {
    struct Page: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String

        func header(_ name: String) -> String? { headers.first(name: name) }
        var location: String? { header("Location") }
        /// The value of `name="_csrf"` on the page.
        var csrf: String? {
            guard let range = body.range(of: #"name="_csrf" value=""#) else { return nil }
            return String(body[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    let base: String
    let client: HTTPClient

    static func with<T: Sendable>(_ base: String, _ body: (ConsoleBrowser) async throws -> T) async throws -> T {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let result = try await body(ConsoleBrowser(base: base, client: client))
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    func get(_ path: String, session: String? = nil, accept: String = "text/html") async throws -> Page {
        try await send(.GET, path, session: session, headers: ["Accept": accept])
    }

    /// POSTs `fields` as a form.
    func post(_ path: String, _ fields: [(String, String)], session: String? = nil, accept: String = "text/html") async throws -> Page {
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.POST, path, session: session, body: body,
                              headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": accept])
    }

    func send(_ method: HTTPMethod, _ path: String, session: String?, body: String? = nil, headers: [String: String]) async throws -> Page {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let session { request.headers.add(name: "Cookie", value: "organic_console=\(session)") }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Page(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    /// Signs in; returns the session id from `Set-Cookie`.
    func signIn(token: String = PluginHarness.adminToken) async throws -> String {
        let page = try await post("/console/sign-in", [("token", token)])
        guard page.status == 303, let cookie = page.header("Set-Cookie"), let value = cookie.split(separator: ";").first?.split(separator: "=").last
        else { throw HarnessError("sign-in failed: \(page.status) \(page.body.prefix(200))") }
        return String(value)
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

@Suite("Console over HTTP", .serialized)
struct ConsoleHTTPTests {
    let embedding: TextEmbeddingPlugin

    init() throws {
        embedding = try TextEmbeddingPlugin()
    }

    func run(_ configuration: NodeConfiguration = PluginHarness.testConfiguration(),
             _ body: @escaping @Sendable (PluginHarness.Network, ConsoleBrowser) async throws -> Void) async throws {
        try await PluginHarness.run(plugins: [embedding], miners: PluginHarness.honestMiners(1), configuration: configuration) { net in
            try await ConsoleBrowser.with(net.adminURL) { browser in try await body(net, browser) }
        }
    }

    @Test("sign-in: a wrong token fails without a session; the right one sets a strict HttpOnly cookie for /console")
    func signIn() async throws {
        try await run { _, browser in
            let anonymous = try await browser.get("/console/keys")
            #expect(anonymous.status == 303)
            #expect(anonymous.location == "/console/sign-in")

            let wrong = try await browser.post("/console/sign-in", [("token", "not-the-admin-token")])
            #expect(wrong.status == 401)
            #expect(wrong.header("X-Organic-Error") == "invalid_admin_token")
            #expect(wrong.header("Set-Cookie") == nil)
            #expect(wrong.body.contains("That is not the admin token"))

            let right = try await browser.post("/console/sign-in", [("token", PluginHarness.adminToken)])
            #expect(right.status == 303)
            #expect(right.location == "/console/keys")
            let cookie = try #require(right.header("Set-Cookie"))
            let attributes = Set(cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(attributes.isSuperset(of: ["HttpOnly", "SameSite=Strict", "Path=/console", "Max-Age=43200"]))
            #expect(!attributes.contains("Secure"), "plain HTTP by default: a Secure cookie would be dropped")
            let session = try await browser.signIn()
            let keys = try await browser.get("/console/keys", session: session)
            #expect(keys.status == 200)
            #expect(keys.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
            #expect(keys.header("Cache-Control") == "no-store")

            // Sign-out (a form with the CSRF token) ends the session.
            let out = try await browser.post("/console/sign-out", [("_csrf", try #require(keys.csrf))], session: session)
            #expect(out.status == 303)
            #expect(out.header("Set-Cookie")?.contains("Max-Age=0") == true)
            #expect(try await browser.get("/console/keys", session: session).location == "/console/sign-in?ended=1")
        }
    }

    @Test("a form without its session's CSRF token is refused with 403 and changes nothing")
    func csrf() async throws {
        try await run { net, browser in
            let session = try await browser.signIn(), other = try await browser.signIn()
            let page = try await browser.get("/console/keys", session: session)
            let token = try #require(page.csrf), otherToken = try #require(try await browser.get("/console/keys", session: other).csrf)
            #expect(token != otherToken)
            let before = try #require(try await net.context.keys?.list().keys.count)

            let fields = [("name", "csrf victim")]
            let missing = try await browser.post("/console/keys", fields, session: session)
            #expect(missing.status == 403)
            #expect(missing.header("X-Organic-Error") == "csrf_token_invalid")
            #expect(missing.body.contains("csrf_token_invalid"))
            let json = try await browser.post("/console/keys", fields, session: session, accept: "application/json")
            #expect(json.status == 403)
            #expect(json.body.contains(#""code":"csrf_token_invalid""#))
            let foreign = try await browser.post("/console/keys", fields + [("_csrf", otherToken)], session: session)
            #expect(foreign.status == 403, "another session's token")
            #expect(try await net.context.keys?.list().keys.count == before)

            let accepted = try await browser.post("/console/keys", fields + [("_csrf", token)], session: session)
            #expect(accepted.status == 303)
            #expect(try await net.context.keys?.list().keys.count == before + 1)
        }
    }

    @Test("a created key's secret is on the next page once; names are escaped; credits name the console and the reason")
    func keysAndCredits() async throws {
        try await run { net, browser in
            let session = try await browser.signIn()
            let token = try #require(try await browser.get("/console/keys", session: session).csrf)
            let created = try await browser.post("/console/keys", [("_csrf", token), ("name", "<script>alert(1)</script>"), ("credits", "5"),
                                                                   ("rate_limits", "10/s, 100/day"), ("scopes", "text-embeddings")],
                                                 session: session)
            let location = try #require(created.location)
            #expect(location.hasPrefix("/console/keys/key_"))
            let first = try await browser.get(location, session: session)
            #expect(first.status == 200)
            let secret = try #require(first.body.range(of: #"<code id="new-secret">"#).map { String(first.body[$0.upperBound...].prefix { $0 != "<" }) })
            #expect(secret.hasPrefix("org_live_"))
            #expect(first.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!first.body.contains("<script>alert"))
            let again = try await browser.get(location, session: session)
            #expect(!again.body.contains(secret), "the secret is shown once")

            let id = String(location.dropFirst("/console/keys/".count))
            let record = try #require(try await net.context.keys?.show(id: id)).record
            #expect(record.scopes == ["text-embeddings"])
            #expect(record.rateLimits.map(\.description) == ["10/s", "100/day"])
            // The secret works on the public API.
            let call = try await net.anonymousClient.send("POST", net.publicURL + "/v1/text-embeddings",
                                                          body: Data(#"{"input":["hi"],"dimensions":64}"#.utf8), headers: ["X-API-Key": secret])
            #expect(call.status == 200)

            let noReason = try await browser.post(location + "/credits", [("_csrf", token), ("operation", "top_up"), ("amount", "10")], session: session)
            #expect(noReason.location == location)
            #expect(try await browser.get(location, session: session).body.contains("reason_required"))
            let topUp = try await browser.post(location + "/credits", [("_csrf", token), ("operation", "top_up"), ("amount", "10"),
                                                                      ("reason", "invoice 7")], session: session)
            #expect(topUp.status == 303)
            let details = try #require(try await net.context.keys?.show(id: id, ledgerLimit: 50))
            let line = try #require(details.ledger?.first { $0.kind == .grant && $0.note == "invoice 7" })
            #expect(line.amount == Credits(10))
            #expect(line.actor == "console")
            // Credits held by a request in flight show beside the balance, which still counts them.
            let store = try #require(net.context.keys?.store)
            guard case .reserved(let hold) = try await store.reserve(id: id, amount: Credits(millis: 2500), endpoint: "text-embeddings", now: Date()) else {
                Issue.record("not reserved"); return
            }
            #expect(try await browser.get(location, session: session).body.contains(#"<p id="held">Of which 2.5 held by requests in flight.</p>"#))
            try await store.settle(hold, commit: false, usage: UsageEntry(keyID: id, endpoint: "text-embeddings", status: 502, credits: .zero,
                                                                          latencySeconds: 0, time: Date()))
            #expect(try await !browser.get(location, session: session).body.contains(#"id="held""#))
            let tooMuch = try await browser.post(location + "/credits", [("_csrf", token), ("operation", "adjust"), ("amount", "-1000"),
                                                                        ("reason", "oops")], session: session)
            #expect(tooMuch.status == 303)
            #expect(try await browser.get(location, session: session).body.contains("balance_would_be_negative"))
        }
    }

    @Test("the settings form sets scopes, limits, concurrency, expiry, refill and state; rotate issues a new secret once")
    func settings() async throws {
        try await run { net, browser in
            let keys = try #require(net.context.keys)
            let created = try await keys.create(KeyCreation(name: "to change", rateLimits: ["5/s"]))
            let path = "/console/keys/\(created.record.id)"
            let session = try await browser.signIn()
            let token = try #require(try await browser.get(path, session: session).csrf)
            let saved = try await browser.post(path + "/settings", [
                ("_csrf", token), ("name", "changed"), ("owner", "ops"), ("scopes", "text-embeddings"), ("rate_limits", "2/s 100/day"),
                ("max_concurrent", "3"), ("expires_in_days", "2"), ("refill_amount", "40"), ("refill_period", "month"), ("unlimited", "1"),
            ], session: session)
            #expect(saved.location == path)
            var record = try await keys.show(id: created.record.id).record
            #expect(record.name == "changed" && record.owner == "ops")
            #expect(record.scopes == ["text-embeddings"])
            #expect(record.rateLimits.map(\.description) == ["2/s", "100/day"])
            #expect(record.maxConcurrent == 3)
            #expect(record.state == .disabled, "the enabled box was not sent")
            #expect(record.unlimitedCredits)
            #expect(record.refill == CreditRefill(amount: Credits(millis: 40_000), period: .month))
            let expiry = try #require(record.expiresAt)
            #expect(abs(expiry.timeIntervalSinceNow - 2 * 86_400) < 3600)

            // Empty fields clear what they can; an empty expiry keeps it; 0 removes it.
            _ = try await browser.post(path + "/settings", [("_csrf", token), ("name", "changed"), ("enabled", "1")], session: session)
            record = try await keys.show(id: created.record.id).record
            #expect(record.scopes.isEmpty && record.rateLimits.isEmpty && record.maxConcurrent == nil && record.refill == nil)
            #expect(record.state == .active && !record.unlimitedCredits)
            #expect(record.expiresAt == expiry)
            _ = try await browser.post(path + "/settings", [("_csrf", token), ("name", "changed"), ("enabled", "1"), ("expires_in_days", "0")],
                                       session: session)
            #expect(try await keys.show(id: created.record.id).record.expiresAt == nil)

            let rotated = try await browser.post(path + "/rotate", [("_csrf", token)], session: session)
            #expect(rotated.location == path)
            let shown = try await browser.get(path, session: session)
            #expect(shown.body.contains(#"id="new-secret""#))
            #expect(!shown.body.contains(created.key), "the old secret")
            #expect(!(try await browser.get(path, session: session).body.contains(#"id="new-secret""#)))
        }
    }

    @Test("without an admin token the console is closed to everyone (503); disabled, it is not served")
    func closed() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.admin.token = ""
        try await run(configuration) { _, browser in
            for page in [try await browser.get("/console/sign-in"), try await browser.post("/console/sign-in", [("token", "anything-at-all-16")]),
                         try await browser.get("/console/keys")] {
                #expect(page.status == 503)
                #expect(page.header("X-Organic-Error") == "console_unavailable")
            }
        }
        var disabled = PluginHarness.testConfiguration()
        disabled.admin.console.enabled = false
        try await run(disabled) { _, browser in
            let page = try await browser.get("/console/sign-in")
            #expect(page.status == 404)
        }
    }

    @Test("guessing tokens is throttled: beyond the burst, sign-in answers 429 without checking")
    func throttled() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.admin.console.signInBurst = 2
        configuration.admin.console.signInAttemptsPerMinute = 0.01
        try await run(configuration) { _, browser in
            for _ in 0..<2 {
                #expect(try await browser.post("/console/sign-in", [("token", "wrong-guess-0000")]).status == 401)
            }
            let limited = try await browser.post("/console/sign-in", [("token", PluginHarness.adminToken)])
            #expect(limited.status == 429)
            #expect(limited.header("X-Organic-Error") == "sign_in_rate_limited")
            #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
        }
    }

    @Test("assets come from the binary; the live traffic fragment needs a session")
    func assetsAndFragments() async throws {
        try await run { _, browser in
            let css = try await browser.get("/console/assets/console.css")
            #expect(css.status == 200)
            #expect(css.header("Content-Type")?.hasPrefix("text/css") == true)
            #expect(try await browser.get("/console/assets/console.js").body.contains("data-live-src"))
            #expect(try await browser.get("/console/assets/../../admin/keys").status == 404)
            #expect(try await browser.get("/console/traffic/live").status == 303)
            let session = try await browser.signIn()
            let live = try await browser.get("/console/traffic/live", session: session)
            #expect(live.status == 200)
            #expect(live.body.contains(#"id="queues""#))
            #expect(!live.body.contains("<html"))
            for page in ["/console/credits", "/console/usage", "/console/miners", "/console/traffic", "/console/payments"] {
                #expect(try await browser.get(page, session: session).status == 200, "\(page)")
            }
            #expect(try await browser.get("/console/miners/nobody", session: session).status == 404)
            #expect(try await browser.get("/console/keys/key_unknown", session: session).status == 404)
        }
    }
}
