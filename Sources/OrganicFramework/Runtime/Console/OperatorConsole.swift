import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The operator console: server-rendered pages at `/console` on the admin listener, signed in
/// with the admin token (see Docs/OperatorGuide.md, "Console").
///
/// Security model: the admin token is compared in constant time and guesses are throttled
/// (``ConsoleSignInThrottle``); a session is a random 256-bit id in an `HttpOnly`,
/// `SameSite=Strict` cookie scoped to `/console` (``ConsoleSessions``); every form that changes
/// something carries the session's CSRF token, and a POST without it is refused with 403
/// `csrf_token_invalid`. Without an admin token configured the console opens to nobody (503
/// `console_unavailable`). Pages are read-only views of the same managers the JSON admin routes
/// use (``KeyManager``, ``ScoreBoard``, ``MinerSelector``), so both always agree.
struct OperatorConsole: Sendable {
    let keys: KeyManager?
    let store: any ScoreStore
    let subnets: [AdminAPI.Subnet]
    let clock: any NodeClock
    let token: AdminToken
    let settings: NodeConfiguration.Console
    let sessions: ConsoleSessions
    let throttle: ConsoleSignInThrottle
    let renderer: ConsoleRenderer
    let trafficHistory = ConsoleTrafficHistory()

    static let cookieName = "organic_console"
    /// Seconds between refreshes of the live traffic view.
    static let refreshSeconds = 3

    init(keys: KeyManager?, store: any ScoreStore, subnets: [AdminAPI.Subnet], clock: any NodeClock, token: AdminToken,
         settings: NodeConfiguration.Console) throws {
        self.keys = keys
        self.store = store
        self.subnets = subnets
        self.clock = clock
        self.token = token
        self.settings = settings
        sessions = ConsoleSessions(settings)
        throttle = ConsoleSignInThrottle(burst: settings.signInBurst, perMinute: settings.signInAttemptsPerMinute)
        renderer = try ConsoleRenderer()
    }

    /// A request's live session: its cookie value and CSRF token.
    struct SignedIn: Sendable {
        let id: String
        let csrf: String
    }

    /// Thrown by pages that need a session when there is none; answered with a redirect to sign in.
    struct SignInRequired: Error {}

    // MARK: - Routes

    func register(on router: Router<OrganicRequestContext>) {
        let console = router.group("/console").add(middleware: ConsoleMiddleware(console: self))
        console.get { request, _ in
            Self.cookie(request).flatMap(sessions.resume) == nil ? ConsoleRenderer.redirect("/console/sign-in")
                : ConsoleRenderer.redirect(ConsoleSection.keys.path)
        }
        console.get("assets/:name") { _, context in try Self.asset(named: context.parameters.get("name")) }
        console.get("sign-in") { request, _ in try signInPage(problem: request.uri.queryParameters.get("ended") != nil
                                                                  ? "Your session ended; sign in again." : nil) }
        console.post("sign-in") { request, _ in try await signIn(request) }
        console.post("sign-out") { request, _ in
            let (session, _) = try await form(request)
            sessions.end(session.id)
            return ConsoleRenderer.redirect("/console/sign-in", headers: cookieHeader(value: "", maxAge: 0))
        }
        registerKeyPages(on: console)
        registerCreditPages(on: console)
        console.get("usage") { request, _ in try await usagePage(request) }
        registerMinerPages(on: console)
        console.get("traffic") { request, _ in try await trafficPage(request) }
        console.get("traffic/live") { request, _ in try await trafficFragment(request) }
        console.get("payments") { request, _ in try await paymentsPage(request) }
    }

    // MARK: - Sessions

    /// The signed-in session of `request`; throws ``SignInRequired`` without one.
    func session(_ request: Request) throws -> SignedIn {
        guard let id = Self.cookie(request), let session = sessions.resume(id) else { throw SignInRequired() }
        return SignedIn(id: id, csrf: session.csrfToken)
    }

    /// A POSTed form of a signed-in session whose CSRF token matches; 403 `csrf_token_invalid` otherwise.
    func form(_ request: Request) async throws -> (SignedIn, ConsoleForm) {
        let session = try session(request)
        let form = try await ConsoleForm.read(request)
        guard sessions.checkCSRF(form.value("_csrf"), session: session.id) else {
            throw APIError(.forbidden, code: "csrf_token_invalid",
                           message: "This form did not come from a console page of this session (its CSRF token is missing or wrong). Reload the page and try again.")
        }
        return (session, form)
    }

    /// A page of `section` for `session`, with the session's one-time message.
    func page<Body: Sendable>(_ template: String, title: String, section: ConsoleSection?, session: SignedIn, body: Body) throws -> Response {
        try render(template, title: title, section: section, session: session, body: body, flash: sessions.takeFlash(session: session.id))
    }

    /// A page with a one-time message the caller already took from the session.
    func render<Body: Sendable>(_ template: String, title: String, section: ConsoleSection?, session: SignedIn, body: Body,
                                flash: ConsoleSessions.Flash?) throws -> Response {
        try renderer.page(template, ConsolePage(title: title, section: section, csrf: session.csrf, flash: flash, body: body))
    }

    /// After a form: the message to show next, and a redirect to `location`.
    func done(_ session: SignedIn, at location: String, _ flash: ConsoleSessions.Flash) -> Response {
        sessions.setFlash(flash, session: session.id)
        return ConsoleRenderer.redirect(location)
    }

    /// Runs a form's action; a refusal a person can fix (4xx) comes back as a message on `back`.
    func action(_ session: SignedIn, back: String, _ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as APIError where (400..<500).contains(error.status.code) {
            return done(session, at: back, .init(kind: .error, message: "\(error.message) (\(error.code))"))
        }
    }

    func keyManager() throws -> KeyManager {
        guard let keys else {
            throw APIError(.serviceUnavailable, code: "keys_unavailable", message: "This node runs without a key database.")
        }
        return keys
    }

    // MARK: - Sign-in

    func signInPage(problem: String?, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        struct Body: Sendable {
            let problem: String?
            let idleMinutes: Int
            let maxHours: String
        }
        let body = Body(problem: problem, idleMinutes: Int(settings.sessionIdleSeconds / 60),
                        maxHours: SVGChart.compact(settings.sessionMaxSeconds / 3600))
        return try renderer.page("sign-in", ConsolePage(title: "Sign in", section: nil, csrf: nil, flash: nil, body: body),
                                 status: status, headers: headers)
    }

    func signIn(_ request: Request) async throws -> Response {
        if case .wait(let delay) = throttle.attempt() {
            let seconds = Int((delay / .seconds(1)).rounded(.up))
            throw APIError.limited("sign_in_rate_limited", "Too many sign-in attempts; try again in \(max(seconds, 1)) seconds.",
                                   status: .tooManyRequests, retryAfter: seconds)
        }
        let form = try await ConsoleForm.read(request)
        guard let presented = form.fields.first(where: { $0.name == "token" })?.value, token.accepts(presented) else {
            return try signInPage(problem: "That is not the admin token.", status: .unauthorized,
                                  headers: ConsoleRenderer.errorCodeHeader("invalid_admin_token"))
        }
        throttle.succeeded()
        // A fresh id at every sign-in (an id set before it is never promoted).
        if let previous = Self.cookie(request) { sessions.end(previous) }
        let id = sessions.start()
        return ConsoleRenderer.redirect(ConsoleSection.keys.path, headers: cookieHeader(value: id, maxAge: Int(settings.sessionMaxSeconds)))
    }

    /// `Set-Cookie` for the session (an empty value with age 0 removes it).
    func cookieHeader(value: String, maxAge: Int) -> HTTPFields {
        var cookie = "\(Self.cookieName)=\(value); Path=/console; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
        if settings.secureCookie { cookie += "; Secure" }
        var headers = HTTPFields()
        headers[.setCookie] = cookie
        return headers
    }

    static func cookie(_ request: Request) -> String? {
        request.cookies[cookieName]?.value
    }

    static func asset(named name: String?) throws -> Response {
        guard let name, let asset = ConsoleAssets.all[name] else { throw APIError.notFound("No such console asset.") }
        var headers = ConsoleRenderer.securityHeaders
        headers[.contentType] = asset.contentType
        headers[.cacheControl] = "public, max-age=86400"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: asset.body)))
    }
}

/// Console-wide: refuses everything but assets when no admin token is configured, sends a
/// browser without a session to the sign-in page, and shows errors as pages (or JSON to a
/// caller that asks for JSON).
struct ConsoleMiddleware: RouterMiddleware {
    typealias Context = OrganicRequestContext
    let console: OperatorConsole

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            guard console.token.isConfigured || request.uri.path.hasPrefix("/console/assets/") else {
                throw APIError(.serviceUnavailable, code: "console_unavailable",
                               message: "The console opens only when the node has an admin token: set admin.token (ORGANIC_ADMIN_TOKEN) or admin.tokenSha256 and restart.")
            }
            return try await next(request, context)
        } catch is OperatorConsole.SignInRequired {
            let ended = OperatorConsole.cookie(request) != nil
            if Self.wantsJSON(request) {
                return try APIError(.unauthorized, code: "console_sign_in_required", message: "Sign in to the console first.")
                    .response(from: request, context: context)
            }
            return ConsoleRenderer.redirect(ended ? "/console/sign-in?ended=1" : "/console/sign-in",
                                            headers: ended ? console.cookieHeader(value: "", maxAge: 0) : [:])
        } catch let error as APIError {
            if Self.wantsJSON(request) { return try error.response(from: request, context: context) }
            return try errorPage(error, request: request)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            let api = error.status == .notFound ? APIError.notFound("No console page here.")
                : APIError(.methodNotAllowed, code: "method_not_allowed", message: "This page does not accept \(request.method).")
            if Self.wantsJSON(request) { return try api.response(from: request, context: context) }
            return try errorPage(api, request: request)
        }
    }

    func errorPage(_ error: APIError, request: Request) throws -> Response {
        struct Body: Sendable {
            let heading: String
            let message: String
            let status: Int
            let code: String
            let back: String
            let backLabel: String
        }
        let signedIn = OperatorConsole.cookie(request).flatMap(console.sessions.resume)
        let body = Body(heading: Self.heading(error.status), message: error.message, status: error.status.code, code: error.code,
                        back: signedIn == nil ? "/console/sign-in" : ConsoleSection.keys.path,
                        backLabel: signedIn == nil ? "Sign in" : "Back to the console")
        var headers = error.headers
        headers.append(contentsOf: ConsoleRenderer.errorCodeHeader(error.code))
        let page = ConsolePage(title: Self.heading(error.status), section: nil, csrf: signedIn?.csrfToken, flash: nil, body: body)
        return try console.renderer.page("error", page, status: error.status, headers: headers)
    }

    static func heading(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400, 409, 413, 415: "That did not work"
        case 401: "Sign in first"
        case 403: "Refused"
        case 404: "Not found"
        case 429: "Too many attempts"
        case 503: "Console unavailable"
        default: "Something went wrong"
        }
    }

    /// A caller that asks for JSON and not HTML (scripts, the live view's fallbacks).
    static func wantsJSON(_ request: Request) -> Bool {
        let accept = request.headers[.accept]?.lowercased() ?? ""
        return accept.contains("application/json") && !accept.contains("text/html")
    }
}
