import Foundation
import Testing
@testable import VisionPlugin

/// Exactness against Python imagehash on generated images. Skipped (not failed) when the
/// fixtures are absent: generate them with
///   python3 Tests/Fixtures/make_imagehash_fixtures.py /tmp/ihf [--exhaustive]
///   ORGANIC_IMAGEHASH_FIXTURES=/tmp/ihf swift test
@Suite("imagehash fixtures", .enabled(if: ImagehashFixtures.available, "set ORGANIC_IMAGEHASH_FIXTURES to a folder made by make_imagehash_fixtures.py"))
struct ImagehashFixtureTests {
    @Test("all four hashes equal imagehash's hex strings")
    func allFixturesMatch() throws {
        let records = try ImagehashFixtures.records()
        #expect(records.count >= 30)
        var matched = (average: 0, perceptual: 0, difference: 0, color: 0)
        for record in records {
            let image = try ImagehashFixtures.image(record)
            let hashes = PerceptualHasher.all(image)
            #expect(hashes.average.hexString == record.average, "average \(record.name)")
            #expect(hashes.perceptual.hexString == record.perceptual, "phash \(record.name)")
            #expect(hashes.difference.hexString == record.difference, "dhash \(record.name)")
            #expect(hashes.color.hexString == record.color, "colorhash \(record.name)")
            if hashes.average.hexString == record.average { matched.average += 1 }
            if hashes.perceptual.hexString == record.perceptual { matched.perceptual += 1 }
            if hashes.difference.hexString == record.difference { matched.difference += 1 }
            if hashes.color.hexString == record.color { matched.color += 1 }
            // The single-hash entry points must agree with all().
            #expect(PerceptualHasher.averageHash(image) == hashes.average)
            #expect(PerceptualHasher.perceptualHash(image) == hashes.perceptual)
            #expect(PerceptualHasher.differenceHash(image) == hashes.difference)
            #expect(PerceptualHasher.colorHash(image) == hashes.color)
        }
        print("imagehash fixtures matched of \(records.count): average \(matched.average), perceptual \(matched.perceptual), difference \(matched.difference), color \(matched.color)")
    }

    @Test("L and HSV conversions equal Pillow for every 24-bit colour",
          .enabled(if: ImagehashFixtures.file("allcolors.hsv") != nil, "run the fixture script with --exhaustive"))
    func exhaustiveColourConversions() throws {
        guard let rgbURL = ImagehashFixtures.file("allcolors.rgb"), let lURL = ImagehashFixtures.file("allcolors.l"),
              let hsvURL = ImagehashFixtures.file("allcolors.hsv") else { return }
        let rgb = [UInt8](try Data(contentsOf: rgbURL))
        let luma = [UInt8](try Data(contentsOf: lURL))
        let hsv = [UInt8](try Data(contentsOf: hsvURL))
        try #require(rgb.count == 3 << 24 && luma.count == 1 << 24 && hsv.count == 3 << 24)
        var lumaMismatches = 0, hsvMismatches = 0
        for index in 0..<(1 << 24) {
            let r = rgb[3 * index], g = rgb[3 * index + 1], b = rgb[3 * index + 2]
            if Luminance.luma(r, g, b) != luma[index] { lumaMismatches += 1 }
            let (h, s) = HSVConversion.hueSaturation(r, g, b)
            if h != hsv[3 * index] || s != hsv[3 * index + 1] {
                if hsvMismatches < 5 { print("HSV mismatch rgb=(\(r),\(g),\(b)) ours=(\(h),\(s)) pillow=(\(hsv[3*index]),\(hsv[3*index+1]))") }
                hsvMismatches += 1
            }
        }
        #expect(lumaMismatches == 0)
        #expect(hsvMismatches == 0)
    }
}
