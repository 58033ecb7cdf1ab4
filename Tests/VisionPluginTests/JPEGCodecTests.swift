import CTurboJPEG
import Testing
@testable import VisionPlugin

@Suite("JPEG codec")
struct JPEGCodecTests {
    static let picture = ProceduralImageGenerator().render(
        prompt: "mountain lake at dawn", negativePrompt: "", seed: 42, steps: 25, cfgScale: 7, width: 160, height: 120)

    @Test("encode -> decode is close to the original")
    func roundTripIsClose() throws {
        let jpeg = try ImageCodec.encodeJPEG(Self.picture, quality: 92)
        #expect(ImageCodec.sniffFormat(jpeg) == .jpeg)
        let header = try ImageCodec.readHeader(jpeg)
        #expect(header.format == .jpeg && header.width == 160 && header.height == 120)
        let decoded = try ImageCodec.decode(jpeg)
        #expect(decoded.width == 160 && decoded.height == 120)
        let error = TestImageMetrics.meanAbsoluteDifference(decoded, Self.picture)
        #expect(error < 3, "mean absolute error \(error)")
        // Perceptually the same picture.
        #expect(
            TestImageMetrics.hamming(
                TestImageMetrics.differenceHash(decoded), TestImageMetrics.differenceHash(Self.picture)) <= 4)
    }

    @Test("lower quality gives a smaller file")
    func qualityMatters() throws {
        let high = try ImageCodec.encodeJPEG(Self.picture, quality: 95)
        let low = try ImageCodec.encodeJPEG(Self.picture, quality: 30)
        #expect(low.count < high.count)
    }

    @Test("greyscale JPEG decodes to equal RGB channels")
    func greyscale() throws {
        let jpeg = try JPEGCodec.encode(Self.picture, quality: 90, chroma: .grayscale)
        let decoded = try ImageCodec.decode(jpeg)
        #expect(decoded.width == 160 && decoded.height == 120)
        for i in stride(from: 0, to: decoded.pixels.count, by: 3) {
            #expect(decoded.pixels[i] == decoded.pixels[i + 1] && decoded.pixels[i + 1] == decoded.pixels[i + 2])
        }
    }

    @Test("YCCK JPEG (TurboJPEG writes CMYK as YCCK) decodes to Pillow's RGB")
    func ycckDecoded() throws {
        let width = 16, height = 16
        let cmyk = [UInt8](repeating: 90, count: width * height * 4)
        let handle = try #require(tjInitCompress())
        defer { tjDestroy(handle) }
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let rc = cmyk.withUnsafeBufferPointer {
            tjCompress2(
                handle, $0.baseAddress, Int32(width), 0, Int32(height), Int32(TJPF_CMYK.rawValue), &buffer, &size,
                Int32(TJSAMP_444.rawValue), 90, 0)
        }
        defer { if let buffer { tjFree(buffer) } }
        #expect(rc == 0)
        let bytes = Array(UnsafeBufferPointer(start: try #require(buffer), count: Int(size)))
        // Stored (Adobe-inverted) 90 on every ink: Pillow's K and C are 165, so each channel is
        // 90 - round(165 * 90 / 255) = 32.
        let image = try ImageCodec.decode(bytes)
        #expect(image.width == width && image.height == height)
        #expect(image.pixels.allSatisfy { $0 == 32 })
    }
}
