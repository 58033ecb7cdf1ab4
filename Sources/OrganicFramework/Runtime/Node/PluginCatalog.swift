import Foundation

/// The plugins an executable ships, by name, built from their configuration sections.
public struct PluginCatalog: Sendable {
    public let types: [any SubnetPlugin.Type]

    public init(_ types: [any SubnetPlugin.Type]) {
        self.types = types
    }

    public var names: [String] { types.map { $0.name } }

    /// Builds the enabled plugins (all when `enabled` is empty) from their settings.
    public func instantiate(_ configuration: NodeConfiguration.Plugins) throws(ConfigurationError) -> [any SubnetPlugin] {
        let wanted = configuration.enabled.isEmpty ? names : configuration.enabled
        if let unknown = wanted.first(where: { !names.contains($0) }) {
            throw ConfigurationError("plugins.enabled names '\(unknown)', but this executable ships only: \(names.joined(separator: ", "))")
        }
        if let stray = configuration.settings.keys.first(where: { !names.contains($0) }) {
            throw ConfigurationError("plugins.settings has a section for unknown plugin '\(stray)'")
        }
        var plugins: [any SubnetPlugin] = []
        for type in types where wanted.contains(type.name) {
            let settings = configuration.settings[type.name] ?? .object([:])
            do {
                plugins.append(try Self.make(type, settings: settings))
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError("plugins.settings.\(type.name): \(error)")
            }
        }
        return plugins
    }

    static func make<P: SubnetPlugin>(_ type: P.Type, settings: JSONValue) throws -> any SubnetPlugin {
        let configuration = try settings.decode(as: P.Configuration.self)
        return try P(configuration: configuration)
    }

    /// Finds a plugin type by name.
    public func type(named name: String) -> (any SubnetPlugin.Type)? {
        types.first { $0.name == name }
    }
}
