/// A secret sr25519 signing nonce `r` and its commitment `R = r·B`, made before the message it
/// will sign is known.
///
/// The commitment is the costly part of a signature (a scalar multiplication of the base point,
/// about 20 µs here); a signer that makes nonces ahead of time, off the request path, signs in
/// the remaining few microseconds. Signatures are the same as schnorrkel's to any verifier: the
/// verifier never learns how `r` was chosen.
///
/// schnorrkel derives `r` from a transcript holding the message, so that a failing random source
/// cannot repeat a nonce for two messages. A nonce made ahead cannot hold its message, so its
/// transcript holds instead a sequence number its maker never repeats and the instant the maker
/// started, alongside the key's secret nonce seed and fresh randomness. A nonce signs one
/// message only: two signatures with one nonce reveal the secret key.
package struct Sr25519SigningNonce: Sendable {
    let scalar: [UInt8]
    let commitment: [UInt8]
}

extension Sr25519Keypair {
    /// A nonce for one future signature. `epoch` and `sequence` together must never repeat
    /// for this key (a maker's start instant and a counter); `randomness` is 32 fresh bytes.
    package func makeSigningNonce(epoch: UInt64, sequence: UInt64, randomness: [UInt8]) -> Sr25519SigningNonce {
        var t = MerlinTranscript(label: "organic-sr25519-nonce")
        t.appendMessage(label: "sign:pk", message: publicKey)
        t.appendMessage(label: "epoch", message: MerlinTranscript.le64(epoch))
        t.appendMessage(label: "sequence", message: MerlinTranscript.le64(sequence))
        let r = Ristretto255.reduceWide(t.witnessBytes(label: "signing", witnesses: [nonceSeed], randomness: randomness, count: 64))
        return Sr25519SigningNonce(scalar: r, commitment: Ristretto255.baseMul(r))
    }

    /// Signs `message` under `context` with a nonce made by ``makeSigningNonce(epoch:sequence:randomness:)``,
    /// which must not be used again.
    package func sign(_ message: [UInt8], context: [UInt8] = Sr25519.substrateContext, nonce: Sr25519SigningNonce) -> [UInt8] {
        var t = Sr25519.schnorrTranscript(context: context, message: message, publicKey: publicKey)
        t.appendMessage(label: "sign:R", message: nonce.commitment)
        return signature(commitment: nonce.commitment, nonce: nonce.scalar, transcript: &t)
    }
}
