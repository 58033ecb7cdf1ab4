public import Foundation
import Yams

/// Builds a ``NodeConfiguration`` from defaults, an optional YAML (or JSON) file and the
/// environment, in that order of precedence (environment wins).
///
/// Every setting has an environment variable: `ORGANIC_` followed by its path in upper snake
/// case, for example `server.port` → `ORGANIC_SERVER_PORT` and
/// `dispatch.minersPerQuery` → `ORGANIC_DISPATCH_MINERS_PER_QUERY`. Values are read as JSON
/// when they parse as JSON (numbers, booleans, lists such as `ORGANIC_MINERS='[...]'`) and as
/// strings otherwise. Unknown keys in the file and unknown `ORGANIC_` variables are errors, so
/// that a typo never silently falls back to a default.
public struct ConfigurationLoader: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Loads the configuration; `path` nil means defaults plus environment.
    public func load(path: String?) throws(ConfigurationError) -> NodeConfiguration {
        var tree: JSONValue
        do { tree = try Self.settingsTree(NodeConfiguration()) } catch {
            throw ConfigurationError("cannot encode defaults: \(error)")
        }
        if let path {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw ConfigurationError("cannot read configuration file \(path): \(error.localizedDescription)")
            }
            let fileTree = try Self.parseYAML(text, source: path)
            tree = try Self.merge(fileTree, into: tree, path: [])
        }
        tree = try applyEnvironment(to: tree)
        do {
            return try tree.decode(as: NodeConfiguration.self)
        } catch let error as DecodingError {
            throw ConfigurationError("invalid configuration: \(Self.describe(error))")
        } catch {
            throw ConfigurationError("invalid configuration: \(error)")
        }
    }

    /// Lists every environment variable the configuration understands with its current value.
    public static func environmentVariables(of configuration: NodeConfiguration) -> [(name: String, value: String)] {
        guard let tree = try? settingsTree(configuration) else { return [] }
        var result: [(String, String)] = []
        func walk(_ value: JSONValue, _ path: [String]) {
            if case .object(let o) = value, !isFreeForm(path) {
                for key in o.keys.sorted() { walk(o[key] ?? .null, path + [key]) }
            } else {
                let text = (try? value.jsonData()).flatMap { String(data: $0, encoding: .utf8) } ?? ""
                result.append((envName(path), text))
            }
        }
        walk(tree, [])
        return result
    }

    // MARK: - Internals

    /// The configuration as a tree in which every setting appears, including optional ones
    /// that are unset: JSON encoding leaves nil values out, so they are put back as nulls
    /// (found by reflection; coding keys are the property names) and stay known settings.
    static func settingsTree(_ configuration: NodeConfiguration) throws -> JSONValue {
        var tree = try JSONValue.from(configuration)
        restoreNulls(of: configuration, into: &tree)
        return tree
    }

    static func restoreNulls(of value: Any, into tree: inout JSONValue) {
        guard case .object(var fields) = tree else { return }
        for child in Mirror(reflecting: value).children {
            guard let label = child.label.map({ $0.hasPrefix("_") ? String($0.dropFirst()) : $0 }) else { continue }
            let inner = Mirror(reflecting: child.value)
            if inner.displayStyle == .optional {
                if inner.children.isEmpty, fields[label] == nil { fields[label] = .null }
            } else if inner.displayStyle == .struct, var subtree = fields[label] {
                restoreNulls(of: child.value, into: &subtree)
                fields[label] = subtree
            }
        }
        tree = .object(fields)
    }

    /// Subtrees whose keys are chosen by the operator (plugin settings, per-endpoint overrides).
    static func isFreeForm(_ path: [String]) -> Bool {
        path == ["plugins", "settings"] || path == ["dispatch", "endpoints"] || path == ["dispatch", "queues", "tierWeights"]
            || path == ["scoring", "endpointWeights"]
    }

    static func envName(_ path: [String]) -> String {
        "ORGANIC_" + path.map(upperSnake).joined(separator: "_")
    }

    /// `minersPerQuery` → `MINERS_PER_QUERY`, `validatorUID` → `VALIDATOR_UID`, `tokenSha256` → `TOKEN_SHA256`:
    /// a word starts at a capital that follows a lower-case letter or digit, or that precedes one
    /// (the end of an acronym).
    static func upperSnake(_ key: String) -> String {
        let chars = Array(key)
        var out = ""
        for (i, ch) in chars.enumerated() {
            if ch.isUppercase, i > 0 {
                let previous = chars[i - 1]
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) { out.append("_") }
            }
            out.append(ch == "-" ? "_" : Character(ch.uppercased()))
        }
        return out
    }

    static func parseYAML(_ text: String, source: String) throws(ConfigurationError) -> JSONValue {
        let loaded: Any?
        do { loaded = try Yams.load(yaml: text) } catch {
            throw ConfigurationError("\(source) is not valid YAML: \(error)")
        }
        guard let loaded else { return .object([:]) }
        let value = try toJSON(loaded, source: source)
        guard case .object = value else { throw ConfigurationError("\(source) must contain a mapping at the top level") }
        return value
    }

    static func toJSON(_ any: Any, source: String) throws(ConfigurationError) -> JSONValue {
        switch any {
        case is NSNull: return .null
        case let b as Bool: return .bool(b)
        case let i as Int: return .integer(i)
        case let d as Double: return .number(d)
        case let s as String: return .string(s)
        case let a as [Any]:
            var out: [JSONValue] = []
            for element in a { out.append(try toJSON(element, source: source)) }
            return .array(out)
        case let o as [String: Any]:
            var out: [String: JSONValue] = [:]
            for (k, v) in o { out[k] = try toJSON(v, source: source) }
            return .object(out)
        case let o as [AnyHashable: Any]:
            var out: [String: JSONValue] = [:]
            for (k, v) in o { out["\(k.base)"] = try toJSON(v, source: source) }
            return .object(out)
        default:
            throw ConfigurationError("\(source): unsupported value \(any)")
        }
    }

    /// Overlays `overlay` on `base`, refusing keys that `base` does not know.
    static func merge(_ overlay: JSONValue, into base: JSONValue, path: [String]) throws(ConfigurationError) -> JSONValue {
        guard case .object(let over) = overlay, case .object(var result) = base, !isFreeForm(path) else {
            return overlay
        }
        for (key, value) in over {
            guard let existing = result[key] else {
                let known = result.keys.sorted().joined(separator: ", ")
                throw ConfigurationError("unknown setting '\((path + [key]).joined(separator: "."))' (known here: \(known))")
            }
            if case .null = value { result[key] = existing == .null ? .null : value; continue }
            result[key] = try merge(value, into: existing, path: path + [key])
        }
        return .object(result)
    }

    func applyEnvironment(to tree: JSONValue) throws(ConfigurationError) -> JSONValue {
        // Map every leaf (and free-form subtree) path to its variable name.
        var paths: [String: [String]] = [:]
        func walk(_ value: JSONValue, _ path: [String]) {
            if !path.isEmpty { paths[Self.envName(path)] = path }
            if case .object(let o) = value, !Self.isFreeForm(path) {
                for (k, v) in o { walk(v, path + [k]) }
            }
        }
        walk(tree, [])
        var result = tree
        for (name, raw) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("ORGANIC_") {
            if Self.ignoredVariables.contains(name) { continue }
            guard let path = paths[name] else {
                throw ConfigurationError("unknown environment variable \(name); `organic config env` lists the known ones")
            }
            let value = (try? JSONValue.parse(Data(raw.utf8))) ?? .string(raw)
            result = Self.set(value, at: path[...], in: result)
        }
        return result
    }

    /// Variables with the prefix that are not settings (read by other parts of the project).
    static let ignoredVariables: Set<String> = ["ORGANIC_CONFIG", "ORGANIC_API_KEY", "ORGANIC_BENCHMARKS", "ORGANIC_PYTHON", "ORGANIC_IMAGEHASH_FIXTURES",
                                                   "ORGANIC_TEST_POSTGRES_URL", StripeWebhook.secretVariable]

    static func set(_ value: JSONValue, at path: ArraySlice<String>, in tree: JSONValue) -> JSONValue {
        guard let key = path.first else { return value }
        var object = tree.objectValue ?? [:]
        object[key] = set(value, at: path.dropFirst(), in: object[key] ?? .null)
        return .object(object)
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            return "\(path(c)): \(c.debugDescription)"
        case .keyNotFound(let key, let c):
            return "\(path(c)): missing required key '\(key.stringValue)'"
        @unknown default:
            return "\(error)"
        }
    }
}

/// A configuration that cannot be used; the message says which setting and why.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
