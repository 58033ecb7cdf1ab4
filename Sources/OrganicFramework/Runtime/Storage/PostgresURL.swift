import Foundation
import PostgresNIO

/// Reads `database.url` (`postgres://user:password@host:port/database?sslmode=…`) into a
/// client configuration. A `host` query item naming a directory connects over the Unix socket
/// in that directory (as libpq does).
enum PostgresURL {
    /// What the URL says, before it becomes a pool's or a single connection's configuration.
    struct Parts {
        enum Address {
            case socket(path: String)
            case host(String, port: Int, sslmode: String)
        }
        var address: Address
        var user: String
        var password: String?
        var database: String
    }

    static func parts(_ text: String) throws(ConfigurationError) -> Parts {
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
        if let socketDirectory = items["host"], socketDirectory.hasPrefix("/") {
            let port = components.port ?? Int(items["port"] ?? "") ?? 5432
            return Parts(address: .socket(path: "\(socketDirectory)/.s.PGSQL.\(port)"), user: user, password: password, database: database)
        }
        guard let host = components.host, !host.isEmpty else { throw ConfigurationError("database.url must name a host") }
        let sslmode = items["sslmode"] ?? "prefer"
        guard ["disable", "prefer", "allow", "require", "verify-ca", "verify-full"].contains(sslmode) else {
            throw ConfigurationError("database.url: sslmode '\(sslmode)' is not one of disable, prefer, require, verify-full")
        }
        return Parts(address: .host(host, port: components.port ?? 5432, sslmode: sslmode), user: user, password: password, database: database)
    }

    static func configuration(_ text: String, maxConnections: Int) throws(ConfigurationError) -> PostgresClient.Configuration {
        let parts = try parts(text)
        var configuration: PostgresClient.Configuration
        switch parts.address {
        case .socket(let path):
            configuration = .init(unixSocketPath: path, username: parts.user, password: parts.password, database: parts.database)
        case .host(let host, let port, let sslmode):
            let tls: PostgresClient.Configuration.TLS = switch sslmode {
            case "disable": .disable
            case "prefer", "allow": .prefer(.makeClientConfiguration())
            default: .require(.makeClientConfiguration())
            }
            configuration = .init(host: host, port: port, username: parts.user, password: parts.password, database: parts.database, tls: tls)
        }
        // One connection stays with the key-change listener (``KeyChangeFeed``).
        guard (2...1000).contains(maxConnections) else { throw ConfigurationError("database.maxConnections must be 2...1000") }
        configuration.options.maximumConnections = maxConnections
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// A single connection's configuration, for a session held outside the pool (the leader lock).
    static func connectionConfiguration(_ text: String) throws -> PostgresConnection.Configuration {
        let parts = try parts(text)
        switch parts.address {
        case .socket(let path):
            return .init(unixSocketPath: path, username: parts.user, password: parts.password, database: parts.database)
        case .host(let host, let port, let sslmode):
            let tls: PostgresConnection.Configuration.TLS = switch sslmode {
            case "disable": .disable
            case "prefer", "allow": .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            default: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
            return .init(host: host, port: port, username: parts.user, password: parts.password, database: parts.database, tls: tls)
        }
    }

    /// The URL without its password, for logs.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "postgres://…" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "postgres://…"
    }
}
