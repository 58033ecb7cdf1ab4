import Testing
@testable import OrganicCrypto

@Suite("Hex")
struct HexTests {
    @Test func roundTripAndPrefix() throws {
        #expect(try Hex.decode("0xDEADbeef") == [0xde, 0xad, 0xbe, 0xef])
        #expect(try Hex.decode("deadbeef") == [0xde, 0xad, 0xbe, 0xef])
        #expect(try Hex.decode("") == [])
        #expect(try Hex.decode("0x") == [])
        #expect(Hex.encode([0x00, 0xff, 0x10]) == "00ff10")
        #expect(Hex.encode([0xab], prefix0x: true) == "0xab")
    }

    @Test func rejectsMalformed() {
        #expect(throws: CryptoError.self) { try Hex.decode("abc") }
        #expect(throws: CryptoError.self) { try Hex.decode("zz") }
        #expect(throws: CryptoError.self) { try Hex.decode("0x0g") }
        #expect(throws: CryptoError.self) { try Hex.decode("é1") }
    }
}

@Suite("SS58")
struct SS58Tests {
    static let alicePub = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
    static let aliceSS58 = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
    static let bobPub = "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48"
    static let bobSS58 = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"

    @Test func wellKnownAddresses() throws {
        #expect(SS58.encode(publicKey: try Hex.decode(Self.alicePub)) == Self.aliceSS58)
        #expect(SS58.encode(publicKey: try Hex.decode(Self.bobPub)) == Self.bobSS58)
        let (alice, p1) = try SS58.decode(Self.aliceSS58)
        #expect(Hex.encode(alice) == Self.alicePub && p1 == 42)
        let (bob, p2) = try SS58.decode(Self.bobSS58)
        #expect(Hex.encode(bob) == Self.bobPub && p2 == 42)
    }

    /// Vectors from scalecodec's ss58_encode for the 1- and 2-byte prefix forms.
    @Test(arguments: [
        (UInt16(0), "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5"),
        (2, "HNZata7iMYWmk5RvZRTiAsSDhV8366zq2YGb3tLH5Upf74F"),
        (63, "7NPoMQbiA6trJKkjB35uk96MeJD4PGWkLQLH7k7hXEkZpiba"),
        (64, "cEaNSpz4PxFcZ7nT1VEKrKewH67rfx6MfcM6yKojyyPz7qaqp"),
        (255, "yGHXkYLYqxijLKKfd9Q2CB9shRVu8rPNBS53wvwGTutYg4zTg"),
        (16383, "yNa8JpqfFB3q8A29rCwSgxvdU94ufJw2yKKxDgznS5m1PoFvn"),
    ])
    func prefixForms(prefix: UInt16, address: String) throws {
        let key = try Hex.decode(Self.alicePub)
        #expect(SS58.encode(publicKey: key, prefix: prefix) == address)
        let decoded = try SS58.decode(address)
        #expect(decoded.publicKey == key)
        #expect(decoded.prefix == prefix)
    }

    @Test func fixtureAddresses() throws {
        for f in Fixtures.sr25519 + Fixtures.ed25519 {
            #expect(SS58.encode(publicKey: try Hex.decode(f.pubkey)) == f.ss58)
            #expect(try SS58.decode(f.ss58).publicKey == Hex.decode(f.pubkey))
        }
    }

    @Test func rejectsBadChecksum() {
        // Change one character: still valid base58 and length, checksum breaks.
        var chars = Array(Self.aliceSS58)
        chars[10] = chars[10] == "a" ? "b" : "a"
        #expect(throws: CryptoError.badChecksum) { try SS58.decode(String(chars)) }
    }

    @Test func rejectsBadLength() {
        #expect(throws: CryptoError.self) { try SS58.decode(String(Self.aliceSS58.dropLast(3))) }
        #expect(throws: CryptoError.self) { try SS58.decode(Self.aliceSS58 + "1") }
        #expect(throws: CryptoError.self) { try SS58.decode("") }
        #expect(throws: CryptoError.self) { try SS58.decode(String(repeating: "z", count: 500)) }
        // A validly checksummed 33-byte payload is still rejected (we only take 32-byte accounts).
        let odd = SS58.encode(publicKey: [UInt8](repeating: 1, count: 33))
        #expect(throws: CryptoError.self) { try SS58.decode(odd) }
    }

    @Test func rejectsCharactersOutsideAlphabet() {
        for bad in ["0", "O", "I", "l", "+", " ", "é"] {
            let addr = String(Self.aliceSS58.prefix(20)) + bad + String(Self.aliceSS58.dropFirst(21))
            #expect(throws: CryptoError.self) { try SS58.decode(addr) }
        }
    }

    @Test func expectingPrefix() throws {
        #expect(try SS58.decode(Self.aliceSS58, expectingPrefix: 42).count == 32)
        #expect(throws: CryptoError.badPrefix(42)) { try SS58.decode(Self.aliceSS58, expectingPrefix: 0) }
    }

    @Test func base58LeadingZeros() throws {
        let bytes: [UInt8] = [0, 0, 1, 2, 255]
        #expect(try Base58.decode(Base58.encode(bytes)) == bytes)
        #expect(Base58.encode([0, 0]) == "11")
    }
}
