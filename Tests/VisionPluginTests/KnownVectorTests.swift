import Foundation
import Testing
@testable import VisionPlugin

/// Exactness checks that always run: small images built from integer formulas, with the
/// hashes Python imagehash 4.3.2 (Pillow 13.0, scipy 1.17) printed for the same pixels.
@Suite("imagehash known vectors")
struct KnownVectorTests {
    struct Vector: Sendable, CustomStringConvertible {
        let name: String
        let width: Int
        let height: Int
        let pixel: @Sendable (Int, Int) -> (Int, Int, Int)
        let average: String
        let perceptual: String
        let difference: String
        let color: String
        var description: String { name }

        var image: RGBImage {
            var bytes = [UInt8]()
            bytes.reserveCapacity(width * height * 3)
            for y in 0..<height {
                for x in 0..<width {
                    let (r, g, b) = pixel(x, y)
                    bytes += [UInt8(r % 256), UInt8(g % 256), UInt8(b % 256)]
                }
            }
            return RGBImage(width: width, height: height, pixels: bytes)
        }
    }

    static let vectors: [Vector] = [
        // Upscaling (7x5 -> 8x8 / 9x8 / 32x32).
        Vector(name: "formula 7x5", width: 7, height: 5,
               pixel: { x, y in (x * 53 + y * 29, x * x * 7 + y * 13, x * y * 31 + 17) },
               average: "0f0f0e1e1e3e3e27", perceptual: "941babad6dd4d610",
               difference: "fbf9fcf4f6f4eccc", color: "00000050001"),
        // Gradient with a checkerboard in blue.
        Vector(name: "gradient checker 64x48", width: 64, height: 48,
               pixel: { x, y in (x * 4, y * 5, ((x / 8 + y / 8) % 2) * 255) },
               average: "000003072f7fffff", perceptual: "aa227922ff2a5157",
               difference: "bd7e7ebd5abdbd5a", color: "00000011048"),
        // Tall image: Pillow resizes vertically first here.
        Vector(name: "tall 33x100", width: 33, height: 100,
               pixel: { x, y in (x * x + y * 3, y * y / 7 + x, x * y) },
               average: "0000ffeeffdf9f3f", perceptual: "84030e7c01fff5a7",
               difference: "eaebcad495b425ea", color: "00000000001"),
        // Flat colour: every AC coefficient must be exactly zero, as in scipy.
        Vector(name: "flat 20x20", width: 20, height: 20,
               pixel: { _, _ in (120, 200, 40) },
               average: "0000000000000000", perceptual: "8000000000000000",
               difference: "0000000000000000", color: "00000007000"),
    ]

    @Test("hashes equal imagehash", arguments: vectors)
    func matchesImagehash(vector: Vector) {
        let image = vector.image
        let hashes = PerceptualHasher.all(image)
        #expect(hashes.average.hexString == vector.average)
        #expect(hashes.perceptual.hexString == vector.perceptual)
        #expect(hashes.difference.hexString == vector.difference)
        #expect(hashes.color.hexString == vector.color)
        #expect(PerceptualHasher.averageHash(image) == hashes.average)
        #expect(PerceptualHasher.perceptualHash(image) == hashes.perceptual)
        #expect(PerceptualHasher.differenceHash(image) == hashes.difference)
        #expect(PerceptualHasher.colorHash(image) == hashes.color)
        #expect(hashes.average.bits.count == 64 && hashes.color.bits.count == 42)
    }

    @Test("DCT-II is bit-identical to scipy.fftpack.dct for length 32")
    func dctBits() {
        var input = [Double]()
        for i in 0..<32 { input.append(Double((i * i * 7 + 3 * i) % 256)) }
        var values = input
        DCT2.size32.transform(&values)
        let expected: [UInt64] = [
            0x40b9_4000_0000_0000, 0xc086_839c_7133_b203, 0x407b_b522_bc0b_29cc, 0xc09a_8db1_1f25_cac1,
            0xc085_5ada_dbe3_08df, 0xc036_025c_1380_2fd8, 0x4035_256e_648b_d440, 0xc087_ccb2_7e31_71f2,
        ]
        let bits: [UInt64] = values.prefix(8).map { (value: Double) -> UInt64 in value.bitPattern }
        #expect(bits == expected)
        var flat = [Double](repeating: 77, count: 32)
        DCT2.size32.transform(&flat)
        #expect(flat[0] == 4928)
        #expect(flat.dropFirst().allSatisfy { $0 == 0 })
    }

    @Test("non-power-of-two DCT lengths agree with the definition")
    func dctFallback() {
        let n = 24
        let input = (0..<n).map { Double(($0 * 37) % 255) }
        var values = input
        DCT2(length: n).transform(&values)
        for k in 0..<n {
            var sum = 0.0
            for i in 0..<n { sum += input[i] * cos(Double.pi * Double(k * (2 * i + 1)) / Double(2 * n)) }
            #expect(abs(values[k] - 2 * sum) < 1e-9)
        }
    }

    @Test("hashing is deterministic and input-order sensitive")
    func deterministic() {
        let image = Self.vectors[1].image
        let first = PerceptualHasher.all(image)
        for _ in 0..<3 { #expect(PerceptualHasher.all(image) == first) }
        var flipped = image
        flipped.pixels = stride(from: image.pixels.count - 3, through: 0, by: -3).flatMap { Array(image.pixels[$0..<$0 + 3]) }
        #expect(PerceptualHasher.all(flipped).average != first.average)
    }

    @Test("unusable images hash to zero bits instead of trapping")
    func unusableInput() {
        let empty = PerceptualHasher.all(RGBImage(width: 0, height: 0, pixels: []))
        #expect(empty.average.hexString == "0000000000000000")
        #expect(empty.color.hexString == "00000000000")
        let short = RGBImage(width: 10, height: 10, pixels: [UInt8](repeating: 9, count: 10))
        #expect(PerceptualHasher.perceptualHash(short).bits == [Bool](repeating: false, count: 64))
        #expect(PerceptualHasher.colorHash(RGBImage(width: -1, height: 5, pixels: [])).bits.count == 42)
    }
}
