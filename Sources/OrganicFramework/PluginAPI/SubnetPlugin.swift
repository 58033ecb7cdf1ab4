import Foundation

/// A subnet's contribution to a node: its endpoints and, optionally, reference miners.
///
/// A plugin is a value built once at start-up from its own ``Configuration``, which the node
/// decodes from the plugin's section of the node's configuration file (`plugins.<name>`).
public protocol SubnetPlugin: Sendable {
    /// The plugin's settings; ``EmptyPluginConfiguration`` when it has none.
    associatedtype Configuration: Codable & Sendable = EmptyPluginConfiguration

    /// A short, stable name such as `vision`: used in configuration, logs and the CLI.
    static var name: String { get }

    /// Builds the plugin. Throw to refuse an invalid configuration; the node will not start.
    init(configuration: Configuration) throws

    /// The endpoints this plugin serves, in the order `/v1/models` lists them.
    var endpoints: [any Endpoint] { get }

    /// Reference implementations of the miner side, used by `organic-miner` and the test kit.
    /// The default has none.
    func referenceMiners(options: ReferenceMinerOptions) -> [any MinerHandler]

    /// How this plugin's miners declare their capacity per endpoint over HTTP; nil (the
    /// default) means they do not, and the operator's configured capacities apply.
    var capacityDeclaration: CapacityDeclaration? { get }

    /// The protocol this subnet's miners speak; nil (the default) leaves the choice to the
    /// node (`dispatch.signing`). Operators may override it node-wide, per subnet or per endpoint.
    var minerProtocol: MinerProtocol? { get }
}

extension SubnetPlugin {
    public func referenceMiners(options: ReferenceMinerOptions) -> [any MinerHandler] { [] }
    public var capacityDeclaration: CapacityDeclaration? { nil }
    public var minerProtocol: MinerProtocol? { nil }
}

extension SubnetPlugin {
    /// Builds the plugin with its default settings: those an empty settings section (`{}`)
    /// decodes to, exactly as the node does when the configuration file has no section for it.
    public init() throws {
        try self.init(configuration: JSONDecoder().decode(Configuration.self, from: Data("{}".utf8)))
    }
}

/// The configuration of a plugin that has no settings.
public struct EmptyPluginConfiguration: Codable, Sendable, Hashable {
    public init() {}
}
