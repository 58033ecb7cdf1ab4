import OrganicPluginAPI
import PropertyBased
import Testing
@testable import VisionPlugin

/// PNG image data goes through libdeflate for whole buffers and through zlib's streaming API in
/// constant memory: both must read every stream the same way, and zlib must read what libdeflate writes.
@Suite("zlib streams")
struct ZlibTests {
    /// Bytes shaped like filtered image rows: runs, small deltas, some noise.
    static func sample(count: Int, using random: inout OrganicRandom) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        var value = UInt8.random(in: 0...255, using: &random)
        while bytes.count < count {
            switch Int.random(in: 0..<3, using: &random) {
            case 0: bytes += repeatElement(value, count: min(Int.random(in: 1...40, using: &random), count - bytes.count))
            case 1: value &+= UInt8.random(in: 0...3, using: &random); bytes.append(value)
            default: bytes.append(UInt8.random(in: 0...255, using: &random))
            }
        }
        return bytes
    }

    /// What zlib's streaming reader alone makes of `input`.
    static func zlibOnly(_ input: [UInt8], expectedCount: Int) -> Result<([UInt8], Zlib.InflateOutcome), ImageDecodingError> {
        var produced: [UInt8] = []
        do {
            let outcome = try Zlib.inflate(input[...], expectedCount: expectedCount, window: 4096, maxWholeBytes: 0) { piece, _ in produced += piece }
            return .success((produced, outcome))
        } catch {
            return .failure(error)
        }
    }

    static func whole(_ input: [UInt8], expectedCount: Int) -> Result<([UInt8], Zlib.InflateOutcome), ImageDecodingError> {
        // Windowed, but allowed to inflate whole: the same outcome, in one piece at offset 0 or in pieces.
        var pieces: [UInt8] = []
        let windowed = Result { () throws(ImageDecodingError) -> Zlib.InflateOutcome in
            try Zlib.inflate(input[...], expectedCount: expectedCount, window: 4096) { piece, offset in
                #expect(offset == pieces.count)
                pieces += piece
            }
        }
        do {
            let (bytes, outcome) = try Zlib.inflate(input[...], expectedCount: expectedCount)
            // Only the bytes produced are meaningful when the stream is short.
            let kept = if case .short(let produced) = outcome { Array(bytes.prefix(produced)) } else { bytes }
            switch windowed {
            case .success(let other): #expect(other == outcome && pieces == kept)
            case .failure(let error): Issue.record("the windowed reader refused what the whole one read: \(error)")
            }
            return .success((kept, outcome))
        } catch {
            if case .failure(let other) = windowed { #expect(other.code == error.code) } else { Issue.record("only the whole reader refused") }
            return .failure(error)
        }
    }

    @Test("what libdeflate compresses, at every level used, zlib and libdeflate inflate back to the same bytes")
    func roundTrips() async {
        await propertyCheck(count: 200, input: Gen.uint64(), Gen.int(in: 1...70_000)) { seed, count in
            var random = OrganicRandom(seed: seed)
            let bytes = Self.sample(count: count, using: &random)
            for level: Int32 in [1, 6, 9] {
                guard let compressed = Zlib.deflate(bytes, level: level) else {
                    Issue.record("level \(level) did not compress")
                    continue
                }
                guard case .success(let viaZlib) = Self.zlibOnly(compressed, expectedCount: count),
                      case .success(let viaWhole) = Self.whole(compressed, expectedCount: count) else {
                    Issue.record("level \(level): a stream was refused")
                    continue
                }
                #expect(viaZlib.0 == bytes && viaZlib.1 == .complete)
                #expect(viaWhole.0 == bytes && viaWhole.1 == .complete)
            }
        }
    }

    @Test("a stream longer or shorter than expected, cut, damaged or with a wrong checksum reads as zlib reads it")
    func sameOutcomesAsZlib() async {
        await propertyCheck(count: 300, input: Gen.uint64(), Gen.int(in: 1...20_000)) { seed, count in
            var random = OrganicRandom(seed: seed)
            var stream = Zlib.deflate(Self.sample(count: count, using: &random), level: 1) ?? []
            var expected = count
            switch Int.random(in: 0..<5, using: &random) {
            case 0: expected = Int.random(in: 1...count, using: &random)                // longer than expected
            case 1: expected = count + Int.random(in: 1...100, using: &random)          // shorter
            case 2: stream = Array(stream.prefix(Int.random(in: 0..<stream.count, using: &random)))  // cut
            case 3: stream[Int.random(in: 0..<stream.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)  // damaged
            default: stream[stream.count - 1] ^= 1                                     // checksum
            }
            let viaZlib = Self.zlibOnly(stream, expectedCount: expected)
            let viaWhole = Self.whole(stream, expectedCount: expected)
            switch (viaZlib, viaWhole) {
            case (.success(let a), .success(let b)): #expect(a.0 == b.0 && a.1 == b.1)
            case (.failure(let a), .failure(let b)): #expect(a.code == b.code)
            default: Issue.record("zlib: \(viaZlib), whole: \(viaWhole)")
            }
        }
    }

    @Test("CRC-32 of PNG chunks: the value the PNG specification gives for IEND")
    func crc() {
        #expect(Zlib.crc(Array("IEND".utf8)[...]) == 0xAE42_6082)
        #expect(Zlib.crc(Array("IE".utf8)[...], Array("ND".utf8)[...]) == 0xAE42_6082)
        #expect(Zlib.crc([][...]) == 0)
    }
}
