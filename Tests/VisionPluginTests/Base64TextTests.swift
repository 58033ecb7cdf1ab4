import Foundation
import OrganicFramework
import PropertyBased
import Testing
@testable import VisionPlugin

/// Image fields are decoded by ``Base64Text``; it must read exactly what Foundation writes (and
/// wrapped base64), and refuse what is not base64.
@Suite("Base64 text")
struct Base64TextTests {
    /// `length` random bytes and Foundation's base64 of them, as UTF-8.
    static func sample(length: Int, using random: inout OrganicRandom) -> (bytes: [UInt8], text: [UInt8]) {
        let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
        return (bytes, Array(Data(bytes).base64EncodedString().utf8))
    }

    static func decode(_ text: [UInt8]) -> [UInt8]? {
        Base64Text.decode(Substring(String(decoding: text, as: UTF8.self)))
    }

    @Test("random bytes encoded by Foundation, with line breaks and spaces anywhere, decode to the same bytes")
    func roundTrips() async {
        await propertyCheck(count: 500, input: Gen.uint64(), Gen.int(in: 0...300)) { seed, length in
            var random = OrganicRandom(seed: seed)
            let (bytes, encoded) = Self.sample(length: length, using: &random)
            var text = encoded
            #expect(Self.decode(text) == bytes)
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                let choices: [UInt8] = [0x0D, 0x0A, 0x20]
                let whitespace = choices.randomElement(using: &random) ?? 0x20
                text.insert(whitespace, at: Int.random(in: 0...text.count, using: &random))
            }
            #expect(Self.decode(text) == bytes)
        }
    }

    @Test("long base64 wrapped at 76 columns with CRLF, as mail tools write it, decodes in full")
    func wrappedLines() async {
        await propertyCheck(count: 40, input: Gen.uint64(), Gen.int(in: 1000...20000)) { seed, length in
            var random = OrganicRandom(seed: seed)
            let (bytes, encoded) = Self.sample(length: length, using: &random)
            var wrapped: [UInt8] = []
            for (index, byte) in encoded.enumerated() {
                if index > 0, index % 76 == 0 { wrapped += [0x0D, 0x0A] }
                wrapped.append(byte)
            }
            #expect(Self.decode(wrapped) == bytes)
            var foreign = wrapped
            foreign[Int.random(in: 0..<foreign.count, using: &random)] = UInt8(ascii: "*")
            #expect(Self.decode(foreign) == nil, "one stray character anywhere in a long text is refused")
        }
    }

    @Test("a character outside the alphabet anywhere, a missing character, or data after padding is refused")
    func refusals() async {
        await propertyCheck(count: 300, input: Gen.uint64(), Gen.int(in: 1...120)) { seed, length in
            var random = OrganicRandom(seed: seed)
            let text = Self.sample(length: length, using: &random).text
            var foreign = text
            let stranger = Array("*-_.\t\"\\é".utf8).randomElement(using: &random) ?? UInt8(ascii: "*")
            foreign.insert(stranger, at: Int.random(in: 0...foreign.count, using: &random))
            #expect(Self.decode(foreign) == nil)
            var short = text
            short.remove(at: Int.random(in: 0..<short.count, using: &random))
            #expect(Self.decode(short) == nil)
        }
        #expect(Base64Text.decode("QQ==QUJD") == nil, "data after padding")
        #expect(Base64Text.decode("QQ=") == nil)
        #expect(Base64Text.decode("QUJD") == Array("ABC".utf8))
        #expect(Base64Text.decode("QUI=") == Array("AB".utf8))
        #expect(Base64Text.decode("") == [])
    }
}
