import Testing
@testable import OrganicCrypto

@Suite("sr25519")
struct Sr25519Tests {
    /// Substrate dev accounts: `subkey inspect //Alice` secret seed → public key.
    @Test(arguments: [
        ("e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a",
         "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d",
         "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"),
        ("398f0c28f98885e046333d4a41c19cee4c37368a9832c6502f6cfd182e2aef89",
         "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48",
         "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"),
    ])
    func devAccountsFromSeed(seed: String, pub: String, ss58: String) throws {
        let kp = try Sr25519Keypair(miniSecretSeedHex: seed)
        #expect(Hex.encode(kp.publicKey) == pub)
        #expect(kp.ss58Address == ss58)
    }

    @Test func devAccountsByHardDerivation() throws {
        let dev = try Sr25519Keypair(miniSecretSeed: Sr25519Keypair.devPhraseSeed)
        #expect(Hex.encode(dev.publicKey) == "46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a")
        #expect(Hex.encode(dev.hardDerivedSeed(chainCode: Sr25519Keypair.chainCode(for: "Alice")))
                == "e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a")
        #expect(try Sr25519Keypair.devAccount("Alice").ss58Address == SS58Tests.aliceSS58)
        #expect(try Sr25519Keypair.devAccount("Bob").ss58Address == SS58Tests.bobSS58)
    }

    /// Addresses from bittensor_core (sp-core) `Keypair.create_from_uri`: numeric,
    /// multi-level, and >32-byte (hashed) junctions.
    @Test func hardDerivationMatchesSpCore() throws {
        let charlie7 = try Sr25519Keypair.devAccount("Charlie").hardDerived("7")
        #expect(charlie7.ss58Address == "5G7EUqL9FaG4j3E4vggmTXLUJ1NwH5UbJmbBvz4QdWwArUyC")
        let eveLong = try Sr25519Keypair.devAccount("Eve").hardDerived("organic-validator-with-a-very-long-junction-name")
        #expect(eveLong.ss58Address == "5C8EJiyGEtDbcqwgnjh2UCBFxFR4eb2K8Vyhf77ug8bMPJFZ")
        let maxU64 = try Sr25519Keypair(miniSecretSeed: Sr25519Keypair.devPhraseSeed).hardDerived("18446744073709551615")
        #expect(maxU64.ss58Address == "5FnmmEqtcYdJa7ikbQXggS685DpNeE9j7ob6oBYMyD9kQLxz")
    }

    @Test func chainCodesAndCompactEncoding() {
        #expect(Sr25519Keypair.chainCode(for: "Alice") == [0x14] + Array("Alice".utf8) + [UInt8](repeating: 0, count: 26))
        #expect(Sr25519Keypair.chainCode(for: "1") == [1] + [UInt8](repeating: 0, count: 31))
        #expect(Sr25519Keypair.chainCode(for: String(repeating: "x", count: 40)).count == 32)
        #expect(Sr25519Keypair.scaleCompact(63) == [0xfc])
        #expect(Sr25519Keypair.scaleCompact(64) == [0x01, 0x01])
        #expect(Sr25519Keypair.scaleCompact(16384) == [0x02, 0x00, 0x01, 0x00])
        #expect(Sr25519Keypair.scaleCompact(1 << 30) == [0x03, 0x00, 0x00, 0x00, 0x40])
    }

    @Test func publicKeysMatchPython() throws {
        for f in Fixtures.sr25519 {
            let kp = try Sr25519Keypair(miniSecretSeed: Hex.decode(f.seed))
            #expect(Hex.encode(kp.publicKey) == f.pubkey)
            #expect(kp.ss58Address == f.ss58)
        }
    }

    @Test func pythonSignaturesVerify() throws {
        for f in Fixtures.sr25519 {
            let sig = try Hex.decode(f.signature), msg = try Hex.decode(f.message), pk = try Hex.decode(f.pubkey)
            #expect(Sr25519.verify(signature: sig, message: msg, publicKey: pk))
        }
    }

    @Test func tamperedInputsFail() throws {
        for f in Fixtures.sr25519 {
            let sig = try Hex.decode(f.signature), msg = try Hex.decode(f.message), pk = try Hex.decode(f.pubkey)
            #expect(!Sr25519.verify(signature: sig, message: msg + [0], publicKey: pk))
            for index in [0, 17, 32, 50, 62] {
                var bad = sig
                bad[index] ^= 0x01
                #expect(!Sr25519.verify(signature: bad, message: msg, publicKey: pk))
            }
            var otherKey = pk
            otherKey[0] ^= 0x02
            #expect(!Sr25519.verify(signature: sig, message: msg, publicKey: otherKey))
        }
    }

    @Test func signThenVerify() throws {
        let kp = try Sr25519Keypair(miniSecretSeed: [UInt8](repeating: 7, count: 32))
        for len in [0, 1, 31, 165, 166, 167, 1000] {
            let msg = (0..<len).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let sig = kp.sign(msg)
            #expect(sig.count == 64)
            #expect(sig[63] & 0x80 != 0)
            #expect(Sr25519.verify(signature: sig, message: msg, publicKey: kp.publicKey))
        }
    }

    @Test func signingIsRandomisedButDeterministicGivenRandomness() throws {
        let kp = try Sr25519Keypair(miniSecretSeed: [UInt8](repeating: 9, count: 32))
        let msg = Array("m".utf8)
        #expect(kp.sign(msg) != kp.sign(msg))
        let r = [UInt8](repeating: 1, count: 32)
        let a = kp.sign(msg, context: Sr25519.substrateContext, randomness: r)
        let b = kp.sign(msg, context: Sr25519.substrateContext, randomness: r)
        #expect(a == b)
    }

    @Test("a nonce made before its message signs it as schnorrkel would: the signature verifies, for that message only")
    func nonceMadeAhead() throws {
        let kp = try Sr25519Keypair(miniSecretSeed: [UInt8](repeating: 5, count: 32))
        for (sequence, len) in [0, 1, 64, 1000].enumerated() {
            let msg = (0..<len).map { UInt8(truncatingIfNeeded: $0 &* 13) }
            let nonce = kp.makeSigningNonce(epoch: 1, sequence: UInt64(sequence), randomness: Sodium.randomBytes(32))
            let sig = kp.sign(msg, nonce: nonce)
            #expect(Array(sig[0..<32]) == nonce.commitment)
            #expect(sig[63] & 0x80 != 0)
            #expect(Sr25519.verify(signature: sig, message: msg, publicKey: kp.publicKey))
            #expect(!Sr25519.verify(signature: sig, message: msg + [0], publicKey: kp.publicKey))
        }
    }

    @Test("with the random source stuck on one value, nonces still differ by sequence and by epoch")
    func nonceUniquenessWithoutRandomness() throws {
        let kp = try Sr25519Keypair(miniSecretSeed: [UInt8](repeating: 6, count: 32))
        let stuck = [UInt8](repeating: 0, count: 32)
        var commitments = Set<[UInt8]>()
        for epoch in [UInt64(1), 2] {
            for sequence in 0..<200 {
                commitments.insert(kp.makeSigningNonce(epoch: epoch, sequence: UInt64(sequence), randomness: stuck).commitment)
            }
        }
        #expect(commitments.count == 400)
        // The same epoch, sequence and randomness make the same nonce: what the maker's counter is for.
        #expect(kp.makeSigningNonce(epoch: 1, sequence: 3, randomness: stuck).commitment
            == kp.makeSigningNonce(epoch: 1, sequence: 3, randomness: stuck).commitment)
        // Another key's nonces differ even at the same numbers (its nonce seed is secret to it).
        let other = try Sr25519Keypair(miniSecretSeed: [UInt8](repeating: 8, count: 32))
        #expect(!commitments.contains(other.makeSigningNonce(epoch: 1, sequence: 0, randomness: stuck).commitment))
    }

    @Test func otherContextDoesNotVerify() throws {
        let kp = try Sr25519Keypair(miniSecretSeed: [UInt8](repeating: 3, count: 32))
        let sig = kp.sign([1, 2, 3], context: Array("other".utf8), randomness: [UInt8](repeating: 0, count: 32))
        #expect(!Sr25519.verify(signature: sig, message: [1, 2, 3], publicKey: kp.publicKey))
        #expect(Sr25519.verify(signature: sig, message: [1, 2, 3], publicKey: kp.publicKey, context: Array("other".utf8)))
    }

    @Test func malformedInputsAreRejected() throws {
        let f = Fixtures.sr25519[1]
        let sig = try Hex.decode(f.signature), msg = try Hex.decode(f.message), pk = try Hex.decode(f.pubkey)
        #expect(!Sr25519.verify(signature: Array(sig.dropLast()), message: msg, publicKey: pk))
        #expect(!Sr25519.verify(signature: sig + [0], message: msg, publicKey: pk))
        #expect(!Sr25519.verify(signature: sig, message: msg, publicKey: Array(pk.dropLast())))
        #expect(!Sr25519.verify(signature: [], message: msg, publicKey: []))
        // Missing schnorrkel marker bit.
        var unmarked = sig
        unmarked[63] &= 0x7f
        #expect(!Sr25519.verify(signature: unmarked, message: msg, publicKey: pk))
        // Non-canonical s: s + ℓ (still fits in 253 bits) must be rejected, not reduced.
        var s = Array(sig[32..<64]); s[31] &= 0x7f
        var carry = 0
        for i in 0..<32 {
            let v = Int(s[i]) + Int(Ristretto255.groupOrder[i]) + carry
            s[i] = UInt8(v & 0xff); carry = v >> 8
        }
        s[31] |= 0x80
        #expect(!Sr25519.verify(signature: Array(sig[0..<32]) + s, message: msg, publicKey: pk))
        // Invalid point encodings for the key and R; the identity key.
        let notAPoint = [UInt8](repeating: 0xff, count: 32)
        #expect(!Sr25519.verify(signature: sig, message: msg, publicKey: notAPoint))
        #expect(!Sr25519.verify(signature: notAPoint + Array(sig[32...]), message: msg, publicKey: pk))
        #expect(!Sr25519.verify(signature: sig, message: msg, publicKey: [UInt8](repeating: 0, count: 32)))
        #expect(throws: CryptoError.self) { try Sr25519Keypair(miniSecretSeed: [1, 2, 3]) }
        #expect(throws: CryptoError.self) { try Sr25519Keypair(miniSecretSeedHex: "zz") }
    }

    @Test func predecodedPublicKey() throws {
        for f in Fixtures.sr25519 {
            let key = try Sr25519PublicKey(ss58: f.ss58)
            #expect(Hex.encode(key.bytes) == f.pubkey)
            #expect(key.ss58Address == f.ss58)
            let sig = try Hex.decode(f.signature), msg = try Hex.decode(f.message)
            #expect(key.verify(signature: sig, message: msg))
            #expect(!key.verify(signature: sig, message: msg + [9]))
        }
        #expect(throws: CryptoError.self) { try Sr25519PublicKey(bytes: [1, 2]) }
        #expect(throws: CryptoError.invalidPoint) { try Sr25519PublicKey(bytes: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: CryptoError.invalidPoint) { try Sr25519PublicKey(bytes: [UInt8](repeating: 0xff, count: 32)) }
    }

    /// A real key with bit 255 set is a non-canonical encoding: libsodium 1.0.18 would
    /// decode it to the same point, schnorrkel rejects it, and so must we.
    @Test func publicKeyWithHighBitIsRejected() throws {
        let f = Fixtures.sr25519[0]
        var pk = try Hex.decode(f.pubkey)
        #expect(pk[31] & 0x80 == 0)
        pk[31] |= 0x80
        #expect(Ristretto255.isValidPoint(pk))  // documents the libsodium 1.0.18 quirk
        #expect(!Sr25519.verify(signature: try Hex.decode(f.signature), message: try Hex.decode(f.message), publicKey: pk))
    }

    @Test func canonicalScalarCheck() {
        #expect(Ristretto255.isCanonicalScalar([UInt8](repeating: 0, count: 32)))
        #expect(!Ristretto255.isCanonicalScalar(Ristretto255.groupOrder))
        var below = Ristretto255.groupOrder; below[0] -= 1
        #expect(Ristretto255.isCanonicalScalar(below))
        #expect(!Ristretto255.isCanonicalScalar([UInt8](repeating: 0xff, count: 32)))
    }

    @Test func bytesWrapperHelper() throws {
        let kp = try Sr25519Keypair(miniSecretSeed: [UInt8](repeating: 5, count: 32))
        let msg = Array("payload".utf8)
        let wrapped = Array("<Bytes>".utf8) + msg + Array("</Bytes>".utf8)
        let sigWrapped = kp.sign(wrapped)
        #expect(!Sr25519.verify(signature: sigWrapped, message: msg, publicKey: kp.publicKey))
        #expect(Sr25519.verifyAcceptingBytesWrapper(signature: sigWrapped, message: msg, publicKey: kp.publicKey))
        let sigRaw = kp.sign(msg)
        #expect(Sr25519.verifyAcceptingBytesWrapper(signature: sigRaw, message: wrapped, publicKey: kp.publicKey))
        #expect(!Sr25519.verifyAcceptingBytesWrapper(signature: sigRaw, message: msg + [1], publicKey: kp.publicKey))
    }
}

@Suite("ed25519")
struct Ed25519Tests {
    @Test func matchesSpCoreFixtures() throws {
        for f in Fixtures.ed25519 {
            let kp = try Ed25519Signer.Keypair(seed: Hex.decode(f.seed))
            #expect(Hex.encode(kp.publicKey) == f.pubkey)
            #expect(kp.ss58Address == f.ss58)
            let msg = try Hex.decode(f.message)
            // Ed25519 is deterministic: our signature must equal sp-core's byte-for-byte.
            #expect(Hex.encode(kp.sign(msg)) == f.signature)
            #expect(Ed25519Signer.verify(signature: try Hex.decode(f.signature), message: msg, publicKey: kp.publicKey))
            #expect(!Ed25519Signer.verify(signature: try Hex.decode(f.signature), message: msg + [1], publicKey: kp.publicKey))
        }
        #expect(!Ed25519Signer.verify(signature: [1], message: [], publicKey: []))
    }
}
