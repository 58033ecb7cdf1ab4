import PropertyBased
import Testing
@testable import VisionPlugin

/// The full-fidelity PNG reader on damaged input with valid CRCs (so damage reaches the
/// decoder rather than the checksum test): every outcome is an image or an
/// `ImageDecodingError`, never a trap.
@Suite("PNG decoder on hostile input")
struct PNGDecoderHostileInputTests {
    static func outcome(_ bytes: [UInt8]) -> String {
        do {
            _ = try ImageCodec.decode(bytes, limits: ImageLimits(maxPixels: 64 * 64, maxDimension: 64))
            _ = try LosslessImageReader.read(bytes, limits: ImageLimits(maxPixels: 64 * 64, maxDimension: 64))
            return "ok"
        } catch {
            return error.code
        }
    }

    @Test("random IHDR fields, filter bytes, image data, PLTE and tRNS lengths")
    func mutatedPayloads() async {
        await propertyCheck(count: 400, input: Gen.uint64()) { seed in
            var rng = ImagingRandom(seed: seed)
            let width = rng.next(in: 1...20), height = rng.next(in: 1...20)
            let bitDepth = [1, 2, 3, 4, 8, 16, 0, 32][rng.next(below: 8)]
            let colorType = UInt8([0, 2, 3, 4, 6, 1, 7][rng.next(below: 7)])
            let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][Int(colorType)] ?? 1
            let rowBytes = (width * channels * max(bitDepth, 1) + 7) / 8
            var raw = [UInt8](repeating: 0, count: max(0, (rowBytes + 1) * height + rng.next(in: -5...5)))
            for i in raw.indices { raw[i] = UInt8(truncatingIfNeeded: rng.next()) }
            var png = TestPNGBuilder.signature
                + TestPNGBuilder.ihdr(width: UInt32(width), height: UInt32(height), bitDepth: UInt8(bitDepth),
                                      colorType: colorType, interlaced: rng.next(below: 2) == 1)
            if rng.next(below: 2) == 1 {
                png += TestPNGBuilder.chunk("PLTE", (0..<rng.next(in: 0...800)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
            }
            if rng.next(below: 2) == 1 {
                png += TestPNGBuilder.chunk("tRNS", (0..<rng.next(in: 0...300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
            }
            var data = TestPNGBuilder.zlibStored(raw)
            if rng.next(below: 4) == 0 { data = Array(data.prefix(rng.next(in: 0...data.count))) }
            png += TestPNGBuilder.chunk("IDAT", data)
            if rng.next(below: 4) != 0 { png += TestPNGBuilder.chunk("IEND", []) }
            let result = Self.outcome(png)
            #expect(["ok", "corrupt_image", "truncated_image", "image_too_large", "image_too_many_pixels"].contains(result))
        }
    }

    @Test("a palette index past the palette is black, as Pillow shows it")
    func indexPastPalette() throws {
        let png = TestPNGBuilder.make(width: 3, height: 1, bitDepth: 8, colorType: 3, rows: [[0, 1, 200]],
                                      palette: [10, 20, 30, 40, 50, 60])
        #expect(try ImageCodec.decode(png).pixels == [10, 20, 30, 40, 50, 60, 0, 0, 0])
    }

    @Test("a damaged critical chunk is corrupt; a damaged ancillary chunk is skipped")
    func checksums() throws {
        let good = TestPNGBuilder.make(width: 1, height: 1, bitDepth: 8, colorType: 0, rows: [[7]])
        var text = TestPNGBuilder.chunk("tEXt", Array("a\u{0}b".utf8))
        text[text.count - 1] ^= 1
        let withBadText = Array(good.prefix(33)) + text + Array(good.dropFirst(33))
        #expect(try ImageCodec.decode(withBadText).pixels == [7, 7, 7])
        var badIDAT = good
        badIDAT[badIDAT.count - 13] ^= 1
        #expect(Self.outcome(badIDAT) == "corrupt_image")
    }
}
