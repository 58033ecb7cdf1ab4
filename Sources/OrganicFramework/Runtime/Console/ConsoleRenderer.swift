import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The console's sections, in the order the navigation lists them.
enum ConsoleSection: String, CaseIterable, Sendable {
    case keys, credits, usage, miners, traffic, payments

    var label: String {
        switch self {
        case .keys: "Keys"
        case .credits: "Credits"
        case .usage: "Usage"
        case .miners: "Miners"
        case .traffic: "Queues & traffic"
        case .payments: "Payments"
        }
    }

    var path: String { "/console/\(rawValue)" }
}

/// What every page shows around its body: title, navigation, the sign-out form's CSRF token
/// and the session's one-time message.
struct ConsolePage<Body: Sendable>: Sendable {
    struct NavItem: Sendable {
        let href: String
        let label: String
        let current: Bool
    }

    struct FlashView: Sendable {
        let kind: String
        let role: String
        let message: String
    }

    let title: String
    let signedIn: Bool
    let csrf: String
    let nav: [NavItem]
    let flash: FlashView?
    let assetVersion = ConsoleAssets.version
    let body: Body

    init(title: String, section: ConsoleSection?, csrf: String?, flash: ConsoleSessions.Flash?, body: Body) {
        self.title = title
        signedIn = csrf != nil
        self.csrf = csrf ?? ""
        nav = ConsoleSection.allCases.map { NavItem(href: $0.path, label: $0.label, current: $0 == section) }
        self.flash = flash.map {
            FlashView(kind: $0.kind.rawValue, role: $0.kind == .error ? "alert" : "status", message: $0.message)
        }
        self.body = body
    }
}

/// Renders the console's templates into responses with the console's security headers.
struct ConsoleRenderer: Sendable {
    let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        for (name, text) in ConsoleTemplates.all {
            try library.register(text, named: name)
        }
        self.library = library
    }

    /// Renders template `name` with `model`.
    func render(_ name: String, _ model: Any) throws -> String {
        guard let html = library.render(model, withTemplate: name) else {
            throw APIError(.internalServerError, code: "internal_error", message: "The console has no page named \(name).")
        }
        return html
    }

    /// An HTML response of template `name`.
    func page(_ name: String, _ model: Any, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) throws -> Response {
        Self.html(try render(name, model), status: status, headers: extra)
    }

    static func html(_ html: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        for field in extra { headers[field.name] = field.value }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A 303 to `location` (after a form, or to the sign-in page).
    static func redirect(_ location: String, headers extra: HTTPFields = [:]) -> Response {
        var headers = securityHeaders
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        for field in extra { headers[field.name] = field.value }
        return Response(status: .seeOther, headers: headers)
    }

    /// `X-Organic-Error: <code>`: the stable error code of a page that refuses something, for
    /// scripts and tests (the page says it to people).
    static func errorCodeHeader(_ code: String) -> HTTPFields {
        var headers = HTTPFields()
        if let name = HTTPField.Name("X-Organic-Error") { headers[name] = code }
        return headers
    }

    /// Only the console's own script, styles and requests; no framing, no referrer, no sniffing.
    static let securityHeaders: HTTPFields = {
        var headers = HTTPFields()
        headers[.contentSecurityPolicy] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[.xContentTypeOptions] = "nosniff"
        for (name, value) in [("Referrer-Policy", "no-referrer"), ("X-Frame-Options", "DENY")] {
            if let name = HTTPField.Name(name) { headers[name] = value }
        }
        return headers
    }()
}
