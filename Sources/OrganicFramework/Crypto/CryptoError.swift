/// Errors raised by the Organic crypto layer.
///
/// Every malformed input (wrong length, bad encoding, non-canonical value) maps to
/// one of these cases instead of trapping, because these inputs come from the network.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A byte string had the wrong length for its role.
    case badLength(what: String, expected: Int, actual: Int)
    /// Hex text contained a non-hex character or an odd number of digits.
    case badHex(String)
    /// Base58 text contained a character outside the Bitcoin alphabet.
    case badBase58(String)
    /// The SS58 checksum did not match the payload.
    case badChecksum
    /// The SS58 address prefix is reserved or not encodable.
    case badPrefix(UInt16)
    /// Bytes do not encode a valid (canonical) ristretto255 point.
    case invalidPoint
    /// Bytes do not encode a canonical scalar below the group order.
    case invalidScalar
    /// A signature lacks schnorrkel's marker bit or is otherwise malformed.
    case malformedSignature(String)
    /// libsodium could not be initialised or a primitive failed unexpectedly.
    case sodiumFailure(String)

    public var description: String {
        switch self {
        case let .badLength(what, expected, actual):
            return "\(what): expected \(expected) bytes, got \(actual)"
        case let .badHex(reason):
            return "invalid hex: \(reason)"
        case let .badBase58(reason):
            return "invalid base58: \(reason)"
        case .badChecksum:
            return "SS58 checksum mismatch"
        case let .badPrefix(prefix):
            return "SS58 prefix \(prefix) is reserved or out of range"
        case .invalidPoint:
            return "not a valid ristretto255 point encoding"
        case .invalidScalar:
            return "not a canonical scalar (must be below the group order)"
        case let .malformedSignature(reason):
            return "malformed signature: \(reason)"
        case let .sodiumFailure(reason):
            return "libsodium failure: \(reason)"
        }
    }
}
