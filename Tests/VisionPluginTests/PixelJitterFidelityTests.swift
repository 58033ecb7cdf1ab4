import Foundation
import OrganicPluginAPI
import PropertyBased
import Testing
@testable import VisionPlugin

/// The jitter keeps everything but 1–3 pixels, whatever the PNG's mode: random images in every
/// colour type and bit depth, with and without tRNS, interlaced or not, are built byte by byte
/// (independently of the plugin's encoder), jittered, and both files decoded at full fidelity.
@Suite("Jitter fidelity in every PNG mode")
struct PixelJitterFidelityTests {
    struct Mode: Sendable, CustomTestStringConvertible {
        var colorType: PNGColorType
        var bitDepth: Int
        var transparency: Bool
        var interlaced: Bool
        var testDescription: String {
            "\(colorType) \(bitDepth)-bit\(transparency ? " tRNS" : "")\(interlaced ? " interlaced" : "")"
        }
    }

    static let modes: [Mode] = {
        var modes: [Mode] = []
        for colorType in PNGColorType.allCases {
            for bitDepth in [1, 2, 4, 8, 16] where colorType.allows(bitDepth: bitDepth) {
                let transparencies = colorType.hasAlphaChannel ? [false] : [false, true]
                for transparency in transparencies {
                    for interlaced in [false, true] {
                        modes.append(Mode(colorType: colorType, bitDepth: bitDepth, transparency: transparency, interlaced: interlaced))
                    }
                }
            }
        }
        return modes
    }()

    @Test("decode(input) and decode(output) differ in 1-3 visible pixels, by at most 1 per channel", arguments: modes)
    func fidelity(mode: Mode) async throws {
        await propertyCheck(count: 40, input: Gen.uint64(), Gen.int(in: 1...23), Gen.int(in: 1...23)) { seed, width, height in
            var rng = ImagingRandom(seed: seed)
            let input = Self.randomRaster(mode: mode, width: width, height: height, rng: &rng)
            let png = TestRasterPNG.encode(input, interlaced: mode.interlaced)
            let before = try PNGDecoder.decode(png, limits: ImageLimits())
            // The independent builder and the decoder agree on every sample.
            #expect(before.rows == input.rows && before.palette == input.palette && before.transparency == input.transparency)

            var random = OrganicRandom(seed: seed)
            let result = try PixelJitter.jitter(png, limits: ImageLimits(), fast: true, random: &random)
            let after = try PNGDecoder.decode(result.png, limits: ImageLimits())
            #expect(ImageCodec.sniffFormat(result.png) == .png)

            // Colour type and bit depth are kept; a palette may only be repacked or expanded.
            if mode.colorType == .palette {
                #expect(after.colorType == .palette || after.colorType == (mode.transparency ? .rgba : .rgb))
            } else {
                #expect(after.colorType == mode.colorType && after.bitDepth == mode.bitDepth)
                #expect(after.transparency == before.transparency)
            }

            let visible = (0..<before.pixelCount).filter { !before.isFullyTransparent(x: $0 % width, y: $0 / width) }
            var changed: [Int] = []
            for p in 0..<before.pixelCount {
                let x = p % width, y = p / width
                let old = Self.colour(before, x: x, y: y), new = Self.colour(after, x: x, y: y)
                // Alpha (the last component) never changes; nor does transparency.
                #expect(old.last == new.last, "alpha at (\(x), \(y))")
                #expect(before.isFullyTransparent(x: x, y: y) == after.isFullyTransparent(x: x, y: y))
                guard old != new else { continue }
                changed.append(p)
                #expect(visible.isEmpty || !before.isFullyTransparent(x: x, y: y), "a fully transparent pixel changed")
                for c in 0..<(old.count - 1) { #expect(abs(old[c] - new[c]) <= 1, "channel \(c) at (\(x), \(y))") }
            }
            #expect(changed.count <= 3)
            #expect(Set(changed) == Set(result.changes.map { $0.y * width + $0.x }))
            // Every image changes, except where only tRNS-keyed (transparent) pixels exist, or every
            // visible grey pixel's only steps land on the key or outside the bit depth.
            let keyed = mode.transparency && mode.colorType != .palette
            var canStep = !(keyed && visible.isEmpty)
            if mode.colorType == .grey, case .greyKey(let key)? = before.transparency {
                canStep = visible.contains { p in
                    let v = before.sample(x: p % width, y: p / width, channel: 0)
                    return [v - 1, v + 1].contains { $0 >= 0 && $0 <= before.maxSample && $0 != Int(key) }
                }
            }
            if canStep { #expect(!changed.isEmpty) }
        }
    }

    @Test("palettes without room are expanded losslessly; with room they stay palettes")
    func paletteGrowth() throws {
        for (bitDepth, entries, expected) in [(2, 3, PNGColorType.palette), (2, 4, .palette), (8, 256, .rgb)] {
            var raster = try #require(PNGRaster(width: 16, height: 16, colorType: .palette, bitDepth: bitDepth))
            var palette: [UInt8] = []
            for i in 0..<entries {
                palette += [UInt8(i * 7 % 256), UInt8(i * 13 % 256), UInt8(i * 29 % 256)]
            }
            raster.palette = palette
            for p in 0..<256 { raster.setSample(x: p % 16, y: p / 16, channel: 0, p % entries) }
            var random = OrganicRandom(seed: 3)
            let png = try PixelJitter.jitter(TestRasterPNG.encode(raster, interlaced: false), limits: ImageLimits(), fast: false,
                                             random: &random).png
            let after = try PNGDecoder.decode(png, limits: ImageLimits())
            #expect(after.colorType == expected)
            #expect((1...3).contains(Self.differingPixels(PillowRGB.convert(raster), PillowRGB.convert(after))))
        }
    }

    @Test("a grey JPEG becomes a lossless 8-bit grey PNG of its pixels, 1-3 of them changed")
    func jpegInputs() throws {
        let picture = VisionTestImages.picture(40, 30)
        let grey = try JPEGCodec.encode(picture, quality: 90, chroma: .grayscale)
        var random = OrganicRandom(seed: 9)
        let out = try PixelJitter.jitter(grey, limits: ImageLimits(), fast: true, random: &random)
        let raster = try PNGDecoder.decode(out.png, limits: ImageLimits())
        #expect(raster.colorType == .grey && raster.bitDepth == 8)
        let before = try ImageCodec.decode(grey), after = try ImageCodec.decode(out.png)
        #expect((1...3).contains(Self.differingPixels(before, after)))
    }

    @Test("image inputs of generation requests reach miners byte for byte")
    func initImagesUntouched() throws {
        let plugin = try VisionPlugin()
        let image = VisionTestImages.png(VisionTestImages.picture())
        var context = PerturbationContext(random: OrganicRandom(seed: 1), seeds: SeedRange(validatorUID: 7))
        let generation = PerturbedGenerationRequests(plugin: plugin, image: image, context: &context)
        let (i2i, inpaint, scribble) = (generation.imageToImage, generation.inpaint, generation.scribble)
        var avatar = AvatarRequest(initImage: image, prompt: "a cat")
        plugin.avatar.perturb(&avatar, context: &context)
        var upscale = UpscaleRequest(image: image, scale: 2)
        plugin.upscale.perturb(&upscale, context: &context)
        #expect(i2i.initImage == image && inpaint.initImage == image && inpaint.mask == image && scribble.initImage == image)
        #expect(avatar.initImage == image && upscale.image == image)
    }

    static func differingPixels(_ a: RGBImage, _ b: RGBImage) -> Int {
        var count = 0
        for p in 0..<a.pixelCount {
            let i = p * 3
            if a.pixels[i] != b.pixels[i] || a.pixels[i + 1] != b.pixels[i + 1] || a.pixels[i + 2] != b.pixels[i + 2] {
                count += 1
            }
        }
        return count
    }

    /// Colour components then alpha (255 when the mode has none), palette entries resolved.
    static func colour(_ raster: PNGRaster, x: Int, y: Int) -> [Int] {
        switch raster.colorType {
        case .palette:
            let index = raster.sample(x: x, y: y, channel: 0)
            let rgb = index < raster.paletteCount ? (0..<3).map { Int(raster.palette[index * 3 + $0]) } : [0, 0, 0]
            return rgb + [raster.paletteAlpha(index)]
        case .grey, .rgb:
            return raster.pixel(x: x, y: y) + [raster.maxSample]
        case .greyAlpha, .rgba:
            return raster.pixel(x: x, y: y)
        }
    }

    static func randomRaster(mode: Mode, width: Int, height: Int, rng: inout ImagingRandom) -> PNGRaster {
        guard var raster = PNGRaster(width: width, height: height, colorType: mode.colorType, bitDepth: mode.bitDepth) else {
            preconditionFailure("valid test geometry")
        }
        let maxSample = raster.maxSample
        // Extremes are common so that steps at 0 and at the maximum are exercised.
        func sample() -> Int {
            switch rng.next(below: 6) {
            case 0: 0
            case 1: maxSample
            default: rng.next(in: 0...maxSample)
            }
        }
        if mode.colorType == .palette {
            let entries = rng.next(in: 1...(1 << mode.bitDepth))
            raster.palette = (0..<(entries * 3)).map { _ in [0, 255, UInt8(rng.next(in: 0...255))][rng.next(below: 3)] }
            if mode.transparency {
                raster.transparency = .paletteAlpha((0..<rng.next(in: 1...entries)).map { _ in
                    [0, 255, UInt8(rng.next(in: 0...255))][rng.next(below: 3)]
                })
            }
            for y in 0..<height { for x in 0..<width { raster.setSample(x: x, y: y, channel: 0, rng.next(below: entries)) } }
            return raster
        }
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<mode.colorType.channels { raster.setSample(x: x, y: y, channel: c, sample()) }
            }
        }
        if mode.transparency {
            // Key on an existing pixel's colour so some pixels are transparent.
            let key = raster.pixel(x: rng.next(below: width), y: rng.next(below: height)).map { UInt16($0) }
            raster.transparency = mode.colorType == .grey ? .greyKey(key[0]) : .rgbKey(key[0], key[1], key[2])
        }
        return raster
    }
}

/// Writes a raster as PNG with the test builder's stored zlib blocks and filter 0, Adam7
/// interlaced on request: independent of ``PNGEncoder`` and ``PNGFilter``.
enum TestRasterPNG {
    static func encode(_ raster: PNGRaster, interlaced: Bool) -> [UInt8] {
        let passes: [(Int, Int, Int, Int)] = interlaced
            ? [(0, 8, 0, 8), (4, 8, 0, 8), (0, 4, 4, 8), (2, 4, 0, 4), (0, 2, 2, 4), (1, 2, 0, 2), (0, 1, 1, 2)]
            : [(0, 1, 0, 1)]
        var raw: [UInt8] = []
        for (x0, dx, y0, dy) in passes {
            let xs = Array(stride(from: x0, to: raster.width, by: dx))
            guard !xs.isEmpty else { continue }
            for y in stride(from: y0, to: raster.height, by: dy) {
                var bits: [Int] = []
                for x in xs { for c in 0..<raster.colorType.channels { bits.append(raster.sample(x: x, y: y, channel: c)) } }
                raw.append(0)
                raw += pack(bits, depth: raster.bitDepth)
            }
        }
        var png = TestPNGBuilder.signature
            + TestPNGBuilder.ihdr(width: UInt32(raster.width), height: UInt32(raster.height), bitDepth: UInt8(raster.bitDepth),
                                  colorType: raster.colorType.rawValue, interlaced: interlaced)
        if raster.colorType == .palette { png += TestPNGBuilder.chunk("PLTE", raster.palette) }
        switch raster.transparency {
        case .paletteAlpha(let alphas): png += TestPNGBuilder.chunk("tRNS", alphas)
        case .greyKey(let v): png += TestPNGBuilder.chunk("tRNS", [UInt8(v >> 8), UInt8(v & 0xFF)])
        case .rgbKey(let r, let g, let b):
            png += TestPNGBuilder.chunk("tRNS", [r, g, b].flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        case nil: break
        }
        return png + TestPNGBuilder.chunk("IDAT", TestPNGBuilder.zlibStored(raw)) + TestPNGBuilder.chunk("IEND", [])
    }

    static func pack(_ samples: [Int], depth: Int) -> [UInt8] {
        if depth == 16 { return samples.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } }
        if depth == 8 { return samples.map { UInt8($0) } }
        var out: [UInt8] = []
        var current = 0, filled = 0
        for s in samples {
            current = current << depth | s
            filled += depth
            if filled == 8 { out.append(UInt8(current)); current = 0; filled = 0 }
        }
        if filled > 0 { out.append(UInt8(current << (8 - filled))) }
        return out
    }
}
