package import Logging

/// A key's tier: the weight its requests get in each endpoint's fair queue. The operator names
/// the tiers and their weights in `dispatch.queues.tierWeights`; a key without a tier is
/// ``standard``, which is always accepted.
///
/// Kept in the key's metadata entry `tier` (where tiers have always been stored, so existing
/// keys keep theirs). Creating or changing a key refuses a tier the configuration does not name
/// (400 `unknown_tier`); a stored tier the configuration no longer names is served at the
/// `standard` weight, and the node logs a warning for each such key when it starts.
public struct KeyTier: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The tier of a key that has none.
    public static let standard = KeyTier(rawValue: "standard")
    /// The key metadata entry the tier is stored in.
    package static let metadataKey = "tier"
    /// Longest tier name.
    package static let maxNameLength = 64
    /// Most tiers a configuration may name.
    package static let maxConfigured = 32

    public var description: String { rawValue }

    /// Whether `name` can name a tier: 1...64 ASCII letters, digits, `-` or `_`.
    package static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maxNameLength
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
    }

    /// The fair-queue weight of a key of `tier` under `weights` (`dispatch.queues.tierWeights`):
    /// a key without a tier, or with one the configuration no longer names, gets the standard
    /// tier's weight (1 when `standard` is not configured either).
    package static func weight(of tier: KeyTier?, in weights: [String: Double]) -> Double {
        if let tier, let weight = weights[tier.rawValue] { return weight }
        return weights[standard.rawValue] ?? 1
    }

    /// The tiers a key may be given under `weights`: the configured ones and ``standard``.
    package static func accepted(in weights: [String: Double]) -> Set<KeyTier> {
        Set(weights.keys.map(KeyTier.init(rawValue:))).union([.standard])
    }

    /// Logs a warning for each key whose stored tier is not in `accepted`: it is served at the
    /// standard weight until its tier is changed or the tier is configured again.
    package static func warnUnconfigured(in records: [APIKeyRecord], accepted: Set<KeyTier>, logger: Logger) {
        for record in records {
            guard let tier = record.tier, !accepted.contains(tier) else { continue }
            logger.warning("a key's tier is not in dispatch.queues.tierWeights; it is served as standard", metadata: [
                LogKey.keyID: "\(record.id)", "tier": "\(tier.rawValue.prefix(maxNameLength))",
            ])
        }
    }
}

extension APIKeyRecord {
    /// The key's tier as stored (metadata `tier`); nil when none was set (``KeyTier/standard``).
    public var tier: KeyTier? {
        get { metadata[KeyTier.metadataKey].map(KeyTier.init(rawValue:)) }
        set { metadata[KeyTier.metadataKey] = newValue?.rawValue }
    }
}

extension KeyManager {
    /// `tier` when this node accepts it (any well-formed name when the manager knows no tiers).
    func validated(tier: KeyTier) throws(APIError) -> KeyTier {
        if let tiers {
            guard tiers.contains(tier) else {
                throw APIError(.badRequest, code: "unknown_tier",
                               message: "tier '\(tier.rawValue.prefix(KeyTier.maxNameLength))' is not configured (dispatch.queues.tierWeights names: \(tiers.map(\.rawValue).sorted().joined(separator: ", "))).",
                               field: "tier")
            }
        } else if !KeyTier.isValidName(tier.rawValue) {
            throw APIError(.badRequest, code: "invalid_value", message: "tier must be 1...64 letters, digits, - or _.", field: "tier")
        }
        return tier
    }

    /// The tier a new key gets: `tier`, else the metadata entry `tier` (the way it was set
    /// before it had its own field); both given, they must agree.
    func validatedTier(_ tier: KeyTier?, metadata: [String: String]) throws(APIError) -> KeyTier? {
        let fromMetadata = metadata[KeyTier.metadataKey].map(KeyTier.init(rawValue:))
        if let tier, let fromMetadata, tier != fromMetadata {
            throw APIError(.badRequest, code: "invalid_value", message: "tier and metadata.tier differ; give the tier once.", field: "tier")
        }
        return try (tier ?? fromMetadata).map { tier throws(APIError) in try validated(tier: tier) }
    }
}
