import Crypto
import Foundation
import OrganicCrypto

/// Stripe's webhook signature scheme, as Stripe documents it: the `Stripe-Signature` header is
/// `t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=…]`, and each `v1` is the lowercase hex
/// HMAC-SHA256, keyed with the endpoint's signing secret (`whsec_…`, its UTF-8 bytes), of
/// `"<t>.<raw body>"`. The request is genuine when any `v1` matches (Stripe sends two while a
/// secret is being rolled) and `t` is within the tolerance of now, in either direction.
struct StripeSignature: Sendable {
    /// Why a request is refused; each has a stable API error code.
    enum Failure: Error, Equatable {
        case missing
        case malformed
        case mismatch
        case outsideTolerance

        var code: String {
            switch self {
            case .missing: "signature_missing"
            case .malformed: "signature_malformed"
            case .mismatch: "signature_mismatch"
            case .outsideTolerance: "signature_outside_tolerance"
            }
        }

        var message: String {
            switch self {
            case .missing: "The request has no Stripe-Signature header."
            case .malformed: "The Stripe-Signature header is not t=<unix time>,v1=<signature>[,…]."
            case .mismatch: "No v1 signature in the Stripe-Signature header matches the body and the endpoint's signing secret."
            case .outsideTolerance: "The Stripe-Signature timestamp is outside the accepted window around now."
            }
        }
    }

    /// The longest header accepted, and the most elements in it (Stripe sends 2 to 4).
    static let maxHeaderBytes = 4096
    static let maxElements = 32

    private let key: SymmetricKey
    /// Largest accepted distance, in seconds, between `t` and now.
    let tolerance: Double

    init(secret: String, tolerance: Double) {
        key = SymmetricKey(data: Array(secret.utf8))
        self.tolerance = tolerance
    }

    /// Checks `header` against the raw `body`; the signature is checked before the time, as
    /// Stripe's libraries do, so a forged request never learns about the window.
    func verify(header: String?, body: some DataProtocol, now: Date) throws(Failure) {
        guard let header, !header.isEmpty else { throw .missing }
        let (timestamp, candidates) = try Self.parse(header)
        var mac = HMAC<SHA256>(key: key)
        mac.update(data: Array("\(timestamp).".utf8))
        mac.update(data: body)
        let expected = mac.finalize()
        // Constant-time comparison (swift-crypto's MAC equality with bytes).
        guard candidates.contains(where: { expected == $0 }) else { throw .mismatch }
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else { throw .outsideTolerance }
    }

    /// The timestamp and the `v1` signatures (as bytes) of a header. Elements of other schemes
    /// (`v0`) are ignored, and so are `v1` values that are not 64 hex digits (they cannot match);
    /// a header without exactly one `t` or without any `v1` is malformed.
    static func parse(_ header: String) throws(Failure) -> (timestamp: Int64, signatures: [[UInt8]]) {
        guard header.utf8.count <= maxHeaderBytes else { throw .malformed }
        let elements = header.split(separator: ",", omittingEmptySubsequences: false)
        guard elements.count <= maxElements else { throw .malformed }
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        var sawV1 = false
        for element in elements {
            guard let equals = element.firstIndex(of: "=") else { throw .malformed }
            let name = element[..<equals], value = element[element.index(after: equals)...]
            switch name {
            case "t":
                guard timestamp == nil, (1...12).contains(value.count), value.allSatisfy({ ("0"..."9").contains($0) }),
                      let t = Int64(value) else { throw .malformed }
                timestamp = t
            case "v1":
                sawV1 = true
                if value.utf8.count == 2 * SHA256.byteCount, let bytes = try? Hex.decode(String(value)) { signatures.append(bytes) }
            default:
                continue
            }
        }
        guard let timestamp, sawV1 else { throw .malformed }
        return (timestamp, signatures)
    }
}
