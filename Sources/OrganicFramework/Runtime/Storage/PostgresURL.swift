import Foundation
import PostgresNIO

/// Reads `database.url` (`postgres://user:password@host:port/database?sslmode=…`) into a
/// client configuration. A `host` query item naming a directory connects over the Unix socket
/// in that directory (as libpq does).
enum PostgresURL {
    static func configuration(_ text: String, maxConnections: Int) throws(ConfigurationError) -> PostgresClient.Configuration {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              ["postgres", "postgresql"].contains(scheme.lowercased()) else {
            throw ConfigurationError("database.url must be postgres://user:password@host:port/database")
        }
        let items = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        guard let user = components.percentEncodedUser.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw ConfigurationError("database.url must name a user (postgres://user@host/database)")
        }
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let path = components.percentEncodedPath.removingPercentEncoding ?? ""
        let database = path.hasPrefix("/") ? String(path.dropFirst()) : path
        guard !database.isEmpty else { throw ConfigurationError("database.url must name a database (…/database)") }
        var configuration: PostgresClient.Configuration
        if let socketDirectory = items["host"], socketDirectory.hasPrefix("/") {
            let port = components.port ?? Int(items["port"] ?? "") ?? 5432
            configuration = .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            guard let host = components.host, !host.isEmpty else { throw ConfigurationError("database.url must name a host") }
            let tls: PostgresClient.Configuration.TLS
            switch items["sslmode"] ?? "prefer" {
            case "disable": tls = .disable
            case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
            case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
            case let other: throw ConfigurationError("database.url: sslmode '\(other)' is not one of disable, prefer, require, verify-full")
            }
            configuration = .init(host: host, port: components.port ?? 5432, username: user, password: password, database: database, tls: tls)
        }
        // One connection stays with the key-change listener (``KeyChangeFeed``).
        guard (2...1000).contains(maxConnections) else { throw ConfigurationError("database.maxConnections must be 2...1000") }
        configuration.options.maximumConnections = maxConnections
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// The URL without its password, for logs.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "postgres://…" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "postgres://…"
    }
}
