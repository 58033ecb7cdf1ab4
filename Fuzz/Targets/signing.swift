// libFuzzer target: what a signed request's headers go through before its signature is
// trusted (btauth/1 and Epistula v2): the crypto-scheme name, the SS58 hotkey, the hex
// signature, and sr25519 / ed25519 verification of whatever those decode to.
// Built by scripts/fuzz.sh with the sources it lists; never part of the package build.
import OrganicCrypto

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSigning(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Header values, one per line: scheme, hotkey, signature; the rest is the signed message.
    let lines = bytes.split(separator: 10, maxSplits: 3, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    let field = { (index: Int) in index < lines.count ? lines[index] : "" }
    let scheme = BTAuth.Scheme(headerValue: field(0))
    let publicKey = (try? SS58.decode(field(1)))?.publicKey ?? Array(field(1).utf8.prefix(32))
    let signature = (try? Hex.decode(field(2))) ?? Array(field(2).utf8.prefix(64))
    let message = Array(field(3).utf8)
    switch scheme {
    case .ed25519: _ = Ed25519Signer.verify(signature: signature, message: message, publicKey: publicKey)
    default:
        _ = Sr25519.verify(signature: signature, message: message, publicKey: publicKey)
        _ = Sr25519.verifyAcceptingBytesWrapper(signature: signature, message: message, publicKey: publicKey)
    }
    return 0
}
