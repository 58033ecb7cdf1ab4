import Foundation

/// How a plugin's miners tell validators how many concurrent requests they accept on each
/// endpoint. A plugin opts in by returning one from ``SubnetPlugin/capacityDeclaration``.
///
/// The node asks every miner periodically: `POST <minerPath>` with ``requestBody`` (by default
/// `{}`), signed like any other request to the miner. The miner answers 200 with a body that
/// `decode` turns into `[schedulingKey: concurrentRequests]`, where a scheduling key is an
/// endpoint name, or `<endpoint>/<model>` for an endpoint that routes by model. By default that
/// body is `{"capacities": {"<endpoint>": <int>, ...}}`. A 0 means "not serving this endpoint now".
/// The node ignores endpoints that are not the plugin's, never trusts more than the operator
/// allows, and keeps the last good answer when a later one is malformed.
public struct CapacityDeclaration: Sendable {
    /// Path on the miner, such as `/capacity`.
    public var minerPath: String
    /// The JSON body the node sends with every probe; `{}` by default.
    public var requestBody: [UInt8]
    /// Whether miners answer with this validator's share already (scaled by its stake, as
    /// Subnet 19's do), so the node must not apply its stake share again.
    public var scaledToValidatorStake: Bool
    /// Reads a miner's answer; throw when it is malformed.
    public var decode: @Sendable ([UInt8]) throws -> [String: Int]
    /// Writes an answer (used by reference miners); must round-trip through `decode`.
    public var encode: @Sendable ([String: Int]) throws -> [UInt8]

    public init(minerPath: String = "/capacity",
                requestBody: [UInt8] = Array("{}".utf8),
                scaledToValidatorStake: Bool = false,
                decode: @escaping @Sendable ([UInt8]) throws -> [String: Int] = CapacityDeclaration.decodeStandard,
                encode: @escaping @Sendable ([String: Int]) throws -> [UInt8] = CapacityDeclaration.encodeStandard) {
        self.minerPath = minerPath
        self.requestBody = requestBody
        self.scaledToValidatorStake = scaledToValidatorStake
        self.decode = decode
        self.encode = encode
    }

    /// The default answer: `{"capacities": {"<endpoint>": <int>}}`.
    public struct StandardAnswer: Codable, Sendable, Hashable {
        public var capacities: [String: Int]
        public init(capacities: [String: Int]) { self.capacities = capacities }
    }

    /// Decodes ``StandardAnswer`` (non-integer or out-of-range numbers throw).
    @Sendable public static func decodeStandard(_ body: [UInt8]) throws -> [String: Int] {
        try JSONDecoder().decode(StandardAnswer.self, from: Data(body)).capacities
    }

    /// Encodes ``StandardAnswer`` with sorted keys.
    @Sendable public static func encodeStandard(_ capacities: [String: Int]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(StandardAnswer(capacities: capacities)))
    }
}
