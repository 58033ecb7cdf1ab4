import Foundation
package import OrganicCrypto

/// Signs requests with Epistula v2 headers (sr25519, millisecond timestamp, random uuid);
/// signature nonces come from a ``SigningNonceReserve``.
package struct EpistulaRequestSigner: RequestSigner {
    let keypair: Sr25519Keypair
    let clock: any NodeClock
    let signatureNonces: SigningNonceReserve
    package let hotkey: String

    package init(keypair: Sr25519Keypair, clock: any NodeClock = SystemNodeClock()) {
        self.keypair = keypair
        self.clock = clock
        self.signatureNonces = SigningNonceReserve(keypair: keypair)
        self.hotkey = keypair.ss58Address
    }

    package func headers(method: String, pathAndQuery: String, body: [UInt8], receiverHotkey: String) -> [(name: String, value: String)] {
        let ms = UInt64(max(0, clock.now().timeIntervalSince1970 * 1000))
        return Epistula.signedHeaders(signerSS58: hotkey, sign: { keypair.sign($0, nonce: signatureNonces.take()) }, body: body,
                                      uuid: Epistula.randomUUID(), timestampMilliseconds: ms, receiverSS58: receiverHotkey)
    }
}
