import Testing
@testable import OrganicCrypto

/// Differential tests: our variable-time verification arithmetic against libsodium.
@Suite("ristretto255 vartime vs libsodium")
struct Ristretto255VartimeTests {
    func randomScalar() -> [UInt8] { Ristretto255.reduceWide(Sodium.randomBytes(64)) }

    @Test func basePointMultiplesMatchRFC9496() throws {
        // RFC 9496 A.1: encodings of 0·B, 1·B, 2·B.
        let expected = [
            "0000000000000000000000000000000000000000000000000000000000000000",
            "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
            "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
        ]
        #expect(EdwardsPoint.identity.ristrettoBytes == (try Hex.decode(expected[0])))
        #expect(EdwardsPoint.base.ristrettoBytes == (try Hex.decode(expected[1])))
        #expect(EdwardsPoint.base.doubled().ristrettoBytes == (try Hex.decode(expected[2])))
        for i in 0..<20 {
            var scalar = [UInt8](repeating: 0, count: 32)
            scalar[0] = UInt8(i)
            let ours = Ristretto255Vartime.doubleScalarMulBase(a: [UInt8](repeating: 0, count: 32), point: .base, b: scalar)
            #expect(ours.ristrettoBytes == Ristretto255.baseMul(scalar))
        }
    }

    @Test func doubleScalarMatchesLibsodium() throws {
        for _ in 0..<150 {
            let a = randomScalar(), b = randomScalar()
            let pBytes = Ristretto255.baseMul(randomScalar())
            let p = try #require(EdwardsPoint(ristrettoBytes: pBytes))
            #expect(p.ristrettoBytes == pBytes)
            let aP = try #require(Ristretto255.mul(a, pBytes))
            let expected = try #require(Ristretto255.add(aP, Ristretto255.baseMul(b)))
            let ours = Ristretto255Vartime.doubleScalarMulBase(a: a, point: p, b: b)
            #expect(ours.ristrettoBytes == expected)
        }
    }

    @Test func nafRecomposes() {
        for _ in 0..<50 {
            let s = randomScalar()
            for w in [5, 8] {
                let naf = Ristretto255Vartime.nonAdjacentForm(s, width: w)
                // Recompose Σ naf[i]·2^i with a little-endian byte accumulator.
                var acc = [Int](repeating: 0, count: 40)
                for (i, d) in naf.enumerated() where d != 0 {
                    acc[i / 8] += Int(d) << (i % 8)
                }
                var out = [UInt8](repeating: 0, count: 33)
                var carry = 0
                for i in 0..<33 {
                    let v = acc[i] + carry
                    out[i] = UInt8(truncatingIfNeeded: v)
                    carry = (v - Int(out[i])) >> 8
                }
                #expect(Array(out[0..<32]) == s)
                #expect(naf.allSatisfy { $0 == 0 || ($0 & 1 == 1 && abs(Int($0)) < (1 << (w - 1))) })
            }
        }
    }

    @Test func decodeAgreesWithLibsodiumOnRandomStrings() {
        var valid = 0
        for i in 0..<3000 {
            var bytes = Sodium.randomBytes(32)
            if i % 2 == 0 { bytes[0] &= 0xfe; bytes[31] &= 0x7f }
            let ours = EdwardsPoint(ristrettoBytes: bytes)
            // libsodium 1.0.18 ignores bit 255 when checking canonicity; RFC 9496 and
            // schnorrkel (curve25519-dalek) reject it, and so do we.
            if bytes[31] & 0x80 != 0 {
                #expect(ours == nil)
                continue
            }
            #expect((ours != nil) == Ristretto255.isValidPoint(bytes))
            if let p = ours {
                valid += 1
                #expect(p.ristrettoBytes == bytes)
            }
        }
        #expect(valid > 50)
    }

    @Test func rejectsNonCanonicalFieldEncodings() throws {
        // p itself, p + 1 (non-canonical), a negative s, and bit 255 set.
        let p = try Hex.decode("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
        var pPlus2 = p; pPlus2[0] = 0xef
        var highBit = [UInt8](repeating: 0, count: 32); highBit[31] = 0x80
        var negative = [UInt8](repeating: 0, count: 32); negative[0] = 1
        for bad in [p, pPlus2, negative] {
            #expect(EdwardsPoint(ristrettoBytes: bad) == nil)
            #expect(!Ristretto255.isValidPoint(bad))
        }
        // Bit 255 set on an otherwise valid encoding (the identity): libsodium 1.0.18
        // accepts it, we must not.
        #expect(EdwardsPoint(ristrettoBytes: highBit) == nil)
        var baseHigh = EdwardsPoint.base.ristrettoBytes; baseHigh[31] |= 0x80
        #expect(EdwardsPoint(ristrettoBytes: baseHigh) == nil)
    }
}
