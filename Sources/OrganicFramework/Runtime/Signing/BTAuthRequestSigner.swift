import Foundation
package import OrganicCrypto
import Synchronization

/// Signs requests with `btauth/1` (sr25519). Nonces are wall-clock nanoseconds, forced
/// strictly increasing so two requests in the same nanosecond are never replays of each other.
/// Signature nonces come from a ``SigningNonceReserve``.
package final class BTAuthRequestSigner: RequestSigner {
    let keypair: Sr25519Keypair
    let clock: any NodeClock
    let signatureNonces: SigningNonceReserve
    private let lastNonce = Atomic<UInt64>(0)
    package let hotkey: String

    package init(keypair: Sr25519Keypair, clock: any NodeClock = SystemNodeClock()) {
        self.keypair = keypair
        self.clock = clock
        self.signatureNonces = SigningNonceReserve(keypair: keypair)
        self.hotkey = keypair.ss58Address
    }

    package func headers(method: String, pathAndQuery: String, body: [UInt8], receiverHotkey: String) -> [(name: String, value: String)] {
        BTAuthMessage.signedHeaders(senderSS58: hotkey, sign: { keypair.sign($0, nonce: signatureNonces.take()) }, method: method,
                                    pathAndQuery: pathAndQuery, body: body, nonceNanoseconds: nextNonce(), receiverSS58: receiverHotkey)
    }

    func nextNonce() -> UInt64 {
        let now = UInt64(max(0, clock.now().timeIntervalSince1970 * 1e9))
        while true {
            let last = lastNonce.load(ordering: .relaxed)
            let next = max(now, last &+ 1)
            if lastNonce.compareExchange(expected: last, desired: next, ordering: .relaxed).exchanged { return next }
        }
    }
}
