import Testing
@testable import VisionPlugin

/// Every malformed input must throw a specific `ImageDecodingError`, never crash.
@Suite("Hostile image inputs")
struct ImageDecodingHostileInputTests {
    static func code(of bytes: [UInt8], limits: ImageLimits = .init()) -> String? {
        do {
            _ = try ImageCodec.decode(bytes, limits: limits)
            return nil
        } catch {
            return error.code
        }
    }

    static let validPNG: [UInt8] = {
        let image = ProceduralImageGenerator().render(
            prompt: "test", negativePrompt: "", seed: 1, steps: 10, cfgScale: 7, width: 64, height: 64)
        return (try? ImageCodec.encodePNG(image, fast: false)) ?? []
    }()

    static let validJPEG: [UInt8] = {
        let image = ProceduralImageGenerator().render(
            prompt: "test", negativePrompt: "", seed: 1, steps: 10, cfgScale: 7, width: 64, height: 64)
        return (try? ImageCodec.encodeJPEG(image)) ?? []
    }()

    /// A valid PNG whose IHDR (with correct CRC) claims the given size.
    static func pngClaiming(width: UInt32, height: UInt32) -> [UInt8] {
        TestPNGBuilder.signature
            + TestPNGBuilder.ihdr(width: width, height: height, bitDepth: 8, colorType: 2)
            + TestPNGBuilder.chunk("IDAT", TestPNGBuilder.zlibStored([0, 1, 2, 3]))
            + TestPNGBuilder.chunk("IEND", [])
    }

    /// Rewrites the SOF0 frame size of a baseline JPEG.
    static func jpegClaiming(width: Int, height: Int) -> [UInt8] {
        var bytes = validJPEG
        var i = 2
        while i + 9 < bytes.count {
            guard bytes[i] == 0xFF else { break }
            let marker = bytes[i + 1]
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            if marker == 0xC0 {
                bytes[i + 5] = UInt8(height >> 8)
                bytes[i + 6] = UInt8(height & 0xFF)
                bytes[i + 7] = UInt8(width >> 8)
                bytes[i + 8] = UInt8(width & 0xFF)
                return bytes
            }
            i += 2 + length
        }
        return []
    }

    @Test("fixtures are valid")
    func fixtures() throws {
        #expect(try ImageCodec.decode(Self.validPNG).width == 64)
        #expect(try ImageCodec.decode(Self.validJPEG).width == 64)
        #expect(!Self.jpegClaiming(width: 10, height: 10).isEmpty)
    }

    @Test("empty input")
    func empty() {
        #expect(Self.code(of: []) == "empty_image")
        #expect(throws: ImageDecodingError.self) { try ImageCodec.readHeader([]) }
    }

    @Test("random and non-image bytes are unsupported")
    func randomBytes() {
        var rng = ImagingRandom(seed: 99)
        let noise = (0..<4096).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        #expect(Self.code(of: noise) == "unsupported_format")
        #expect(Self.code(of: Array("GIF89a....".utf8)) == "unsupported_format")
        #expect(Self.code(of: Array("<html></html>".utf8)) == "unsupported_format")
    }

    @Test("input cut inside the signature is truncated")
    func cutSignature() {
        #expect(Self.code(of: [0x89, 0x50, 0x4E]) == "truncated_image")
        #expect(Self.code(of: [0xFF, 0xD8]) == "truncated_image")
    }

    @Test("truncated PNG at many cut points", arguments: [9, 20, 40, 100, 500, 1000])
    func truncatedPNG(cut: Int) {
        #expect(Self.validPNG.count > cut + 100)
        #expect(Self.code(of: Array(Self.validPNG.prefix(cut))) == "truncated_image")
    }

    @Test("truncated PNG missing only the tail")
    func truncatedPNGTail() {
        let cut = Array(Self.validPNG.prefix(Self.validPNG.count * 3 / 4))
        #expect(Self.code(of: cut) == "truncated_image")
    }

    @Test("PNG signature followed by garbage is corrupt")
    func pngGarbage() {
        var rng = ImagingRandom(seed: 5)
        let garbage = TestPNGBuilder.signature + (0..<200).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        #expect(Self.code(of: garbage) == "corrupt_image")
    }

    @Test("PNG with damaged image data is corrupt")
    func pngBitFlip() {
        var bytes = Self.validPNG
        for i in stride(from: 60, to: bytes.count - 20, by: 97) { bytes[i] ^= 0x5A }
        #expect(Self.code(of: bytes) == "corrupt_image")
    }

    @Test("PNG claiming 100000x100000 is rejected from the header alone")
    func pngBomb() throws {
        let bomb = Self.pngClaiming(width: 100_000, height: 100_000)
        #expect(bomb.count < 100)
        let header = try ImageCodec.readHeader(bomb)
        #expect(header.width == 100_000 && header.height == 100_000)
        #expect(Self.code(of: bomb) == "image_too_large")
        #expect(Self.code(of: Self.pngClaiming(width: 3000, height: 3000)) == "image_too_many_pixels")
        #expect(Self.code(of: Self.pngClaiming(width: 0x8000_0000, height: 1)) == "corrupt_image")
        #expect(Self.code(of: Self.pngClaiming(width: 0, height: 10)) == "corrupt_image")
    }

    @Test("PNG whose header fits the limits but whose data is missing")
    func pngLyingHeader() {
        // 2000x2000 is within default limits; the IDAT holds 4 bytes.
        let code = Self.code(of: Self.pngClaiming(width: 2000, height: 2000))
        #expect(code == "truncated_image" || code == "corrupt_image")
    }

    @Test("custom limits are honoured")
    func customLimits() {
        #expect(Self.code(of: Self.validPNG, limits: ImageLimits(maxEncodedBytes: 100)) == "image_too_large")
        #expect(Self.code(of: Self.validPNG, limits: ImageLimits(maxDimension: 32)) == "image_too_large")
        #expect(Self.code(of: Self.validJPEG, limits: ImageLimits(maxPixels: 1000)) == "image_too_many_pixels")
    }

    @Test("truncated JPEG", arguments: [3, 30, 200, 600])
    func truncatedJPEG(cut: Int) {
        #expect(Self.validJPEG.count > cut + 100)
        let code = Self.code(of: Array(Self.validJPEG.prefix(cut)))
        #expect(code == "truncated_image")
    }

    @Test("JPEG missing only its tail is truncated")
    func truncatedJPEGTail() {
        let cut = Array(Self.validJPEG.prefix(Self.validJPEG.count - 40))
        #expect(Self.code(of: cut) == "truncated_image")
    }

    @Test("JPEG claiming 60000x60000 is rejected before decoding")
    func jpegBomb() throws {
        let bomb = Self.jpegClaiming(width: 60_000, height: 60_000)
        let header = try ImageCodec.readHeader(bomb)
        #expect(header.width == 60_000 && header.height == 60_000)
        #expect(Self.code(of: bomb) == "image_too_large")
    }

    @Test("JPEG with a lying (larger) header fails instead of returning grey")
    func jpegLyingHeader() {
        let code = Self.code(of: Self.jpegClaiming(width: 1024, height: 1024))
        #expect(code == "truncated_image" || code == "corrupt_image")
    }

    @Test("JPEG SOI followed by garbage is corrupt")
    func jpegGarbage() {
        var rng = ImagingRandom(seed: 11)
        let garbage = [0xFF, 0xD8, 0xFF] + (0..<300).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let code = Self.code(of: garbage)
        #expect(code == "corrupt_image" || code == "truncated_image")
    }

    @Test("JPEG with scrambled entropy data never crashes")
    func jpegBitFlips() {
        for seed in 0..<20 {
            var rng = ImagingRandom(seed: UInt64(seed))
            var bytes = Self.validJPEG
            for _ in 0..<8 {
                let i = 2 + rng.next(below: bytes.count - 2)
                bytes[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            }
            // Either it still decodes to the right size or it throws; no crash.
            if let image = try? ImageCodec.decode(bytes) {
                #expect(image.isWellFormed)
            }
        }
    }

    @Test("PNG with random byte flips never crashes")
    func pngBitFlips() {
        for seed in 0..<20 {
            var rng = ImagingRandom(seed: UInt64(seed) + 1000)
            var bytes = Self.validPNG
            for _ in 0..<4 {
                let i = 8 + rng.next(below: bytes.count - 8)
                bytes[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            }
            if let image = try? ImageCodec.decode(bytes) {
                #expect(image.isWellFormed)
            }
        }
    }
}
