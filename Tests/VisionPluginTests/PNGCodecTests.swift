import Testing
@testable import VisionPlugin

@Suite("PNG codec")
struct PNGCodecTests {
    /// Deterministic image with hard edges and every byte value.
    static func testPattern(width: Int, height: Int) -> RGBImage {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                pixels += [UInt8((x * 7 + y * 3) & 0xFF), UInt8((x * y) & 0xFF), UInt8((x ^ y) & 0xFF)]
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    @Test("encode -> decode is lossless (fast and best compression)", arguments: [true, false])
    func roundTrip(fast: Bool) throws {
        let image = Self.testPattern(width: 67, height: 41)
        let png = try ImageCodec.encodePNG(image, fast: fast)
        #expect(ImageCodec.sniffFormat(png) == .png)
        let header = try ImageCodec.readHeader(png)
        #expect(header.format == .png && header.width == 67 && header.height == 41)
        #expect(try ImageCodec.decode(png) == image)
    }

    @Test("generated picture round-trips losslessly")
    func generatedRoundTrip() throws {
        let image = ProceduralImageGenerator().render(
            prompt: "a red fox", negativePrompt: "", seed: 7, steps: 30, cfgScale: 7.5, width: 96, height: 64)
        #expect(try ImageCodec.decode(ImageCodec.encodePNG(image)) == image)
    }

    @Test("1x1 image round-trips")
    func tinyImage() throws {
        let image = RGBImage(width: 1, height: 1, fill: (r: 1, g: 2, b: 3))
        #expect(try ImageCodec.decode(ImageCodec.encodePNG(image)) == image)
    }

    @Test("8-bit greyscale expands to equal RGB channels")
    func grey() throws {
        let png = TestPNGBuilder.make(width: 3, height: 1, bitDepth: 8, colorType: 0, rows: [[0, 128, 255]])
        let image = try ImageCodec.decode(png)
        #expect(image.pixels == [0, 0, 0, 128, 128, 128, 255, 255, 255])
    }

    @Test("grey+alpha: alpha is ignored, as Pillow's convert(\"RGB\") ignores it")
    func greyAlpha() throws {
        let png = TestPNGBuilder.make(width: 2, height: 1, bitDepth: 8, colorType: 4, rows: [[200, 255, 150, 0]])
        let image = try ImageCodec.decode(png)
        #expect(image.pixels == [200, 200, 200, 150, 150, 150])
    }

    @Test("RGBA: colours kept exactly whatever the alpha (no compositing, no premultiplying)")
    func rgba() throws {
        let png = TestPNGBuilder.make(
            width: 3, height: 1, bitDepth: 8, colorType: 6,
            rows: [[200, 100, 50, 255, 10, 220, 30, 0, 240, 240, 240, 128]])
        let image = try ImageCodec.decode(png)
        #expect(image.pixels == [200, 100, 50, 10, 220, 30, 240, 240, 240])
    }

    @Test("16-bit RGB without gAMA is read as sRGB (high byte)")
    func sixteenBit() throws {
        let samples: [UInt16] = [0, 0x8080, 0xFFFF, 0x1414, 0x6464, 0xC8C8]
        let row = samples.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let png = TestPNGBuilder.make(width: 2, height: 1, bitDepth: 16, colorType: 2, rows: [row])
        let image = try ImageCodec.decode(png)
        #expect(image.pixels == [0, 128, 255, 20, 100, 200])
    }

    @Test("palette images are expanded through PLTE")
    func palette() throws {
        let png = TestPNGBuilder.make(
            width: 3, height: 1, bitDepth: 8, colorType: 3, rows: [[2, 0, 1]],
            palette: [255, 0, 0, 0, 255, 0, 0, 0, 255])
        let image = try ImageCodec.decode(png)
        #expect(image.pixels == [0, 0, 255, 255, 0, 0, 0, 255, 0])
    }

    @Test("Adam7-interlaced PNG decodes to the same pixels")
    func interlaced() throws {
        let image = Self.testPattern(width: 13, height: 11)
        #expect(try ImageCodec.decode(TestPNGBuilder.makeInterlaced(image)) == image)
    }

    @Test("encoding a malformed RGBImage throws instead of reading out of bounds")
    func malformedEncode() {
        let bad = RGBImage(width: 10, height: 10, pixels: [1, 2, 3])
        #expect(throws: ImageEncodingError.self) { try ImageCodec.encodePNG(bad) }
        #expect(throws: ImageEncodingError.self) { try ImageCodec.encodePNG(RGBImage(width: 0, height: 0)) }
        #expect(throws: ImageEncodingError.self) { try ImageCodec.encodeJPEG(bad) }
    }
}
