import Foundation
import Testing
@testable import VisionPlugin

@Suite("ImageHash value type")
struct ImageHashTests {
    private func bits(_ pattern: String) -> [Bool] { pattern.map { $0 == "1" } }

    @Test("hex matches imagehash's zero-padded big-endian layout")
    func hexLayout() {
        #expect(ImageHash(bits: bits("1000" + String(repeating: "0", count: 60))).hexString == "8000000000000000")
        #expect(ImageHash(bits: bits(String(repeating: "0", count: 63) + "1")).hexString == "0000000000000001")
        // 42 bits -> 11 digits with two zero padding bits on the left (colorhash).
        let colorBits = bits("11" + String(repeating: "0", count: 40))
        #expect(ImageHash(bits: colorBits).hexString == "30000000000")
        #expect(ImageHash(bits: colorBits).description == "30000000000")
    }

    @Test("hex round-trips for 64- and 42-bit hashes", arguments: ["f8ff003e0003ffff", "0000000000000000", "ffffffffffffffff"])
    func roundTrip64(hex: String) throws {
        let hash = try #require(ImageHash(hexString: hex, bitCount: 64))
        #expect(hash.bits.count == 64)
        #expect(hash.hexString == hex)
        #expect(ImageHash(hexString: hex.uppercased(), bitCount: 64) == hash)
    }

    @Test("42-bit colorhash strings round-trip")
    func roundTrip42() throws {
        for hex in ["38000000000", "03201240000", "00000000001", "3ffffffffff"] {
            let hash = try #require(ImageHash(hexString: hex, bitCount: 42))
            #expect(hash.bits.count == 42)
            #expect(hash.hexString == hex)
        }
    }

    @Test("malformed hex is rejected")
    func rejectsMalformed() {
        #expect(ImageHash(hexString: "123", bitCount: 64) == nil)             // wrong length
        #expect(ImageHash(hexString: "zz00000000000000", bitCount: 64) == nil) // not hex
        #expect(ImageHash(hexString: "40000000000", bitCount: 42) == nil)      // padding bit set
        #expect(ImageHash(hexString: "", bitCount: 0) == nil)
    }

    @Test("Hamming distance")
    func hamming() throws {
        let a = try #require(ImageHash(hexString: "ffffffffffffffff", bitCount: 64))
        let b = try #require(ImageHash(hexString: "fffffffffffffff0", bitCount: 64))
        let c = try #require(ImageHash(hexString: "0000000000000000", bitCount: 64))
        #expect(a - a == 0)
        #expect(a - b == 4)
        #expect(b - a == 4)
        #expect(a - c == 64)
        // Different lengths: extra bits count as differences instead of trapping.
        #expect(ImageHash(bits: [true, false]) - ImageHash(bits: [true, false, true]) == 1)
    }

    @Test("Codable stores hex and bit count")
    func codable() throws {
        let hashes = PerceptualHashes(
            average: try #require(ImageHash(hexString: "f8ff003e0003ffff", bitCount: 64)),
            perceptual: try #require(ImageHash(hexString: "b34de732cd88324d", bitCount: 64)),
            difference: try #require(ImageHash(hexString: "000400f0181ff007", bitCount: 64)),
            color: try #require(ImageHash(hexString: "03201240000", bitCount: 42)))
        let data = try JSONEncoder().encode(hashes)
        #expect(String(decoding: data, as: UTF8.self).contains("\"hex\":\"03201240000\""))
        #expect(try JSONDecoder().decode(PerceptualHashes.self, from: data) == hashes)
        let bad = Data(#"{"hex":"xyz","bitCount":64}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ImageHash.self, from: bad) }
    }
}
