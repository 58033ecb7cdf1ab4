import Foundation
public import OrganicCrypto

/// Signs requests with Epistula v2 headers (sr25519, millisecond timestamp, random uuid).
public struct EpistulaRequestSigner: RequestSigner {
    let keypair: Sr25519Keypair
    let clock: any NodeClock
    public let hotkey: String

    public init(keypair: Sr25519Keypair, clock: any NodeClock = SystemNodeClock()) {
        self.keypair = keypair
        self.clock = clock
        self.hotkey = keypair.ss58Address
    }

    public func headers(method: String, pathAndQuery: String, body: [UInt8], receiverHotkey: String) -> [(name: String, value: String)] {
        let ms = UInt64(max(0, clock.now().timeIntervalSince1970 * 1000))
        return Epistula.signedHeaders(keypair: keypair, body: body, uuid: Epistula.randomUUID(),
                                      timestampMilliseconds: ms, receiverSS58: receiverHotkey)
    }
}
