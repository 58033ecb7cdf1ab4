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

    @Test("verifying without decoding agrees with decoding: the same success, dimensions and error, whatever the inflation window")
    func verifyAgreesWithDecode() async {
        await propertyCheck(count: 600, input: Gen.uint64()) { seed in
            var rng = ImagingRandom(seed: seed)
            let width = rng.next(in: 1...24), height = rng.next(in: 1...24)
            let bitDepth = [1, 2, 4, 8, 16][rng.next(below: 5)]
            let colorType = UInt8([0, 2, 3, 4, 6][rng.next(below: 5)])
            let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][Int(colorType)] ?? 1
            let interlaced = rng.next(below: 2) == 1
            let expected = (try? PNGDecoder.filteredSize(width: width, height: height, channels: channels, bitDepth: bitDepth,
                                                         interlaced: interlaced)) ?? 0
            // Mostly valid filter types (0-4), sometimes not; sometimes too little data.
            var raw = (0..<max(0, expected + (rng.next(below: 5) == 0 ? rng.next(in: -8...4) : 0))).map { _ in
                UInt8(truncatingIfNeeded: rng.next())
            }
            for i in raw.indices where rng.next(below: 40) != 0 { raw[i] = i % 7 == 0 ? UInt8(rng.next(below: 5)) : raw[i] }
            for i in raw.indices where rng.next(below: 200) == 0 { raw[i] = UInt8(rng.next(in: 5...255)) }
            var data = rng.next(below: 2) == 0 ? TestPNGBuilder.zlibStored(raw) : (Zlib.deflate(raw, level: 6) ?? [])
            // Damage the compressed stream now and then (the CRC is recomputed, so zlib sees it).
            if rng.next(below: 4) == 0, !data.isEmpty {
                data[rng.next(below: data.count)] ^= UInt8(truncatingIfNeeded: rng.next(in: 1...255))
            }
            if rng.next(below: 8) == 0 { data = Array(data.prefix(rng.next(in: 0...data.count))) }
            var png = TestPNGBuilder.signature
                + TestPNGBuilder.ihdr(width: UInt32(width), height: UInt32(height), bitDepth: UInt8(bitDepth),
                                      colorType: colorType, interlaced: interlaced)
            if colorType == 3 || rng.next(below: 3) == 0 {
                png += TestPNGBuilder.chunk("PLTE", (0..<(3 * rng.next(in: 1...256))).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
            }
            png += TestPNGBuilder.chunk("IDAT", data)
            png += TestPNGBuilder.chunk("IEND", [])
            let limits = ImageLimits(maxPixels: 64 * 64, maxDimension: 64)
            let decoded: String
            do {
                let raster = try PNGDecoder.decode(png, limits: limits)
                decoded = "ok \(raster.width)x\(raster.height)"
            } catch {
                decoded = (error as? ImageDecodingError)?.code ?? "\(error)"
            }
            for window in [1, 3, 64, 1 << 16] {
                let verified: String
                do {
                    let size = try PNGDecoder.verify(png, limits: limits, window: window)
                    verified = "ok \(size.width)x\(size.height)"
                } catch {
                    verified = (error as? ImageDecodingError)?.code ?? "\(error)"
                }
                #expect(verified == decoded, "window \(window)")
            }
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
