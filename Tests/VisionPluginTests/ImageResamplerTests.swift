import Testing
@testable import VisionPlugin

@Suite("Image resampler")
struct ImageResamplerTests {
    static let picture = ProceduralImageGenerator().render(
        prompt: "forest", negativePrompt: "", seed: 3, steps: 20, cfgScale: 7, width: 48, height: 32)

    @Test("same size is the identity")
    func identity() {
        #expect(ImageResampler.resize(Self.picture, width: 48, height: 32) == Self.picture)
        #expect(Self.picture.upscaled(factor: 1) == Self.picture)
    }

    @Test("upscale multiplies the size and keeps flat colours exact", arguments: [2, 4])
    func upscaleFlat(factor: Int) {
        let flat = RGBImage(width: 5, height: 3, fill: (r: 10, g: 200, b: 77))
        let big = ImageResampler.upscale(flat, factor: factor)
        #expect(big.width == 5 * factor && big.height == 3 * factor)
        #expect(big == RGBImage(width: 5 * factor, height: 3 * factor, fill: (r: 10, g: 200, b: 77)))
    }

    @Test("bilinear upscale interpolates between neighbours")
    func bilinear() {
        let image = RGBImage(width: 2, height: 1, pixels: [0, 0, 0, 200, 100, 40])
        let big = ImageResampler.upscale(image, factor: 2)
        // Sample centres at 0.25 and 0.75 of the gap => 25% / 75% blends (edges clamp).
        let row: [UInt8] = [0, 0, 0, 50, 25, 10, 150, 75, 30, 200, 100, 40]
        #expect(big.width == 4 && big.height == 2)
        #expect(big.pixels == row + row)
    }

    @Test("downscale averages areas exactly")
    func boxDownscale() {
        // 4x2 image -> 2x1: each output is the mean of a 2x2 block.
        let image = RGBImage(
            width: 4, height: 2,
            pixels: [0, 0, 0, 100, 100, 100, 10, 20, 30, 30, 40, 50,
                     200, 200, 200, 100, 100, 100, 50, 60, 70, 70, 80, 90])
        let small = ImageResampler.resize(image, width: 2, height: 1)
        #expect(small.pixels == [100, 100, 100, 40, 50, 60])
    }

    @Test("upscale then downscale returns close to the original")
    func upDown() {
        let back = Self.picture.upscaled(factor: 4).resized(width: 48, height: 32)
        #expect(TestImageMetrics.meanAbsoluteDifference(back, Self.picture) < 2)
    }

    @Test("odd sizes and malformed inputs are handled")
    func edgeCases() {
        let odd = Self.picture.resized(width: 17, height: 71)
        #expect(odd.width == 17 && odd.height == 71 && odd.isWellFormed)
        #expect(Self.picture.resized(width: 0, height: 10).pixels.isEmpty)
        let malformed = RGBImage(width: Int.max, height: 3, pixels: [1])
        #expect(malformed.upscaled(factor: 2).isWellFormed)
        #expect(ImageResampler.resize(malformed, width: 4, height: 4) == RGBImage(width: 4, height: 4))
    }
}
