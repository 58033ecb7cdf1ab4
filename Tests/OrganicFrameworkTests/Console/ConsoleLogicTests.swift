import Foundation
@testable import OrganicFramework
import Synchronization
import Testing

/// A monotonic clock that moves only when told.
final class SteppedInstant: Sendable {
    private let instant = Mutex(ContinuousClock.now)

    func now() -> ContinuousClock.Instant { instant.withLock { $0 } }

    func advance(_ duration: Duration) {
        instant.withLock { $0 = $0.advanced(by: duration) }
    }
}

@Suite("Console sessions")
struct ConsoleSessionTests {
    @Test("a session id is 256 random bits; only a live id resumes its session")
    func ids() {
        let sessions = ConsoleSessions(idle: .seconds(60), lifetime: .seconds(600), capacity: 4)
        let a = sessions.start(), b = sessions.start()
        #expect(a.utf8.count == 43 && ConsoleSessions.isWellFormed(a))
        #expect(a != b)
        #expect(Data(base64Encoded: a.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "=")?.count == 32)
        #expect(sessions.resume(a) != nil)
        #expect(sessions.resume(String(a.dropLast()) + (a.hasSuffix("A") ? "B" : "A")) == nil)
        #expect(sessions.resume("") == nil)
        #expect(sessions.resume(a + "x") == nil)
        #expect(sessions.resume(String(repeating: "é", count: 43)) == nil)
        #expect(sessions.resume(a)?.csrfToken != sessions.resume(b)?.csrfToken)
    }

    @Test("a session ends after its idle time without use, and at its lifetime however used")
    func expiry() {
        let clock = SteppedInstant()
        let sessions = ConsoleSessions(idle: .seconds(60), lifetime: .seconds(150), capacity: 4, now: { clock.now() })
        let idle = sessions.start(), busy = sessions.start()
        clock.advance(.seconds(59))
        #expect(sessions.resume(busy) != nil)
        clock.advance(.seconds(2))
        #expect(sessions.resume(idle) == nil, "unused for 61 s")
        #expect(sessions.resume(busy) != nil, "used 2 s ago")
        for _ in 0..<4 {
            clock.advance(.seconds(20))
            #expect(sessions.resume(busy) != nil)
        }
        #expect(sessions.resume(busy)?.remaining == .seconds(9))
        clock.advance(.seconds(10))
        #expect(sessions.resume(busy) == nil, "150 s after sign-in")
    }

    @Test("at capacity, signing in ends the least recently used session")
    func capacity() {
        let clock = SteppedInstant()
        let sessions = ConsoleSessions(idle: .seconds(600), lifetime: .seconds(6000), capacity: 2, now: { clock.now() })
        let first = sessions.start()
        clock.advance(.seconds(1))
        let second = sessions.start()
        clock.advance(.seconds(1))
        _ = sessions.resume(first)
        clock.advance(.seconds(1))
        let third = sessions.start()
        #expect(sessions.count == 2)
        #expect(sessions.resume(second) == nil)
        #expect(sessions.resume(first) != nil && sessions.resume(third) != nil)
    }

    @Test("the CSRF token is the session's own; sign-out ends the session")
    func csrf() throws {
        let sessions = ConsoleSessions(idle: .seconds(60), lifetime: .seconds(600), capacity: 4)
        let a = sessions.start(), b = sessions.start()
        let tokenA = try #require(sessions.resume(a)?.csrfToken), tokenB = try #require(sessions.resume(b)?.csrfToken)
        #expect(sessions.checkCSRF(tokenA, session: a))
        #expect(!sessions.checkCSRF(tokenB, session: a), "another session's token")
        #expect(!sessions.checkCSRF(nil, session: a))
        #expect(!sessions.checkCSRF("", session: a))
        #expect(!sessions.checkCSRF(String(tokenA.dropLast()), session: a))
        sessions.end(a)
        #expect(sessions.resume(a) == nil)
        #expect(!sessions.checkCSRF(tokenA, session: a), "no token of an ended session")
    }

    @Test("a flash (and a secret in it) is read once")
    func flashOnce() {
        let sessions = ConsoleSessions(idle: .seconds(60), lifetime: .seconds(600), capacity: 4)
        let id = sessions.start()
        sessions.setFlash(.init(kind: .notice, message: "created", secret: ("key_1", "org_live_secret")), session: id)
        #expect(sessions.takeFlash(session: id)?.secret?.secret == "org_live_secret")
        #expect(sessions.takeFlash(session: id) == nil)
    }
}

@Suite("Console sign-in throttle")
struct ConsoleSignInThrottleTests {
    @Test("a burst of attempts, then one per refill interval; a success gives its attempt back")
    func bucket() {
        let clock = SteppedInstant()
        let throttle = ConsoleSignInThrottle(burst: 3, perMinute: 6, now: { clock.now() })
        for _ in 0..<3 { #expect(throttle.attempt() == .proceed) }
        guard case .wait(let delay) = throttle.attempt() else {
            Issue.record("a fourth attempt in a burst of 3 went through")
            return
        }
        #expect(delay == .seconds(10))
        clock.advance(.seconds(9))
        #expect(throttle.attempt() != .proceed)
        clock.advance(.seconds(1))
        #expect(throttle.attempt() == .proceed)
        #expect(throttle.attempt() != .proceed)
        throttle.succeeded()
        #expect(throttle.attempt() == .proceed)
    }

    @Test("concurrent guesses cannot exceed the allowance")
    func concurrent() async {
        let throttle = ConsoleSignInThrottle(burst: 5, perMinute: 0.01)
        let proceeded = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<200 { group.addTask { throttle.attempt() == .proceed } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(proceeded == 5)
    }
}

@Suite("Console forms")
struct ConsoleFormTests {
    @Test("urlencoded fields: + and %XX decode, repeated names keep every value")
    func parsing() throws {
        let form = try ConsoleForm(parsing: "name=a+b%26c&scopes=x&scopes=y&empty=&note=%E2%82%AC+5&_csrf=t")
        #expect(form.value("name") == "a b&c")
        #expect(form.values("scopes") == ["x", "y"])
        #expect(form.value("empty") == nil)
        #expect(form.value("note") == "€ 5")
        #expect(form.value("missing") == nil)
        #expect(try form.number("missing") == nil)
    }

    @Test("malformed forms and numbers are refused with their code")
    func refusals() throws {
        for body in ["a=%zz", "a=%E2%82", "a=%4"] {
            #expect(throws: APIError.self) { try ConsoleForm(parsing: body) }
        }
        #expect(throws: APIError.self) { try ConsoleForm(parsing: Array(repeating: "a=1", count: ConsoleForm.maxFields + 1).joined(separator: "&")) }
        let form = try ConsoleForm(parsing: "amount=ten&days=nan&count=1.5")
        #expect(throws: APIError.self) { try form.number("amount") }
        #expect(throws: APIError.self) { try form.number("days") }
        #expect(throws: APIError.self) { try form.integer("count") }
    }
}

@Suite("Console rendering")
struct ConsoleRenderingTests {
    @Test("every text in a chart is escaped; each value is a titled point")
    func chartEscaping() {
        let chart = SVGChart(title: "A <b>title</b> & more", summary: "\"quoted\" 'desc'", labels: ["<day>", "2"],
                             series: [.init(name: "<script>x</script>", values: [1, nil]), .init(name: "b", values: [2, 3])], style: .line)
        let svg = chart.render(id: "c\"1").markup
        #expect(!svg.contains("<script>") && !svg.contains("<b>") && !svg.contains("<day>"))
        #expect(svg.contains("&lt;script&gt;x&lt;/script&gt;"))
        #expect(svg.contains("A &lt;b&gt;title&lt;/b&gt; &amp; more"))
        #expect(svg.contains("&quot;quoted&quot; &#39;desc&#39;"))
        #expect(svg.contains("id=\"c&quot;1-title\""))
        #expect(svg.components(separatedBy: "<circle").count - 1 == 3)
        #expect(svg.contains("data-points=\"3\""))
        #expect(svg.contains("role=\"img\""))
    }

    @Test("bars stack; an empty chart says so")
    func barsAndEmpty() {
        let bars = SVGChart(title: "t", summary: "s", labels: ["a", "b"], series: [.init(name: "x", values: [1, 2]), .init(name: "y", values: [0, 5])],
                            style: .stackedBars).render(id: "b").markup
        #expect(bars.components(separatedBy: "<rect class=\"bar").count - 1 == 3, "zero values draw no bar")
        let empty = SVGChart(title: "t", summary: "s", labels: [], series: [], style: .line).render(id: "e").markup
        #expect(empty.contains("No data yet"))
        #expect(SVGChart.niceCeiling(0.7) == 1 && SVGChart.niceCeiling(3) == 5 && SVGChart.niceCeiling(120) == 200 && SVGChart.niceCeiling(0) == 1)
    }

    @Test("templates insert unescaped only charts, and escape every other value")
    func templates() throws {
        let tripleStash = try Regex(#"\{\{\{\s*([A-Za-z.]+)\s*\}\}\}"#)
        for (name, text) in ConsoleTemplates.all {
            for match in text.matches(of: tripleStash) {
                let field = String(text[match.range]).trimmingCharacters(in: CharacterSet(charactersIn: "{} "))
                #expect(field.hasSuffix("Chart") || field == "chart", "\(name) inserts \(field) unescaped")
            }
            #expect(!text.contains("{{&"), "\(name) uses an unescaped variable")
        }
        struct Body: Sendable {
            let problem: String? = "<img src=x onerror=alert(1)> & \"quotes\""
            let idleMinutes = 30
            let maxHours = "12"
        }
        let html = try ConsoleRenderer().render("sign-in", ConsolePage(title: "<t>", section: nil, csrf: nil, flash: nil, body: Body()))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;"))
        #expect(!html.contains("<img"))
        #expect(html.contains("<title>&lt;t&gt; · Organic console</title>"))
        #expect(html.contains("<main id=\"main\""))
    }
}
