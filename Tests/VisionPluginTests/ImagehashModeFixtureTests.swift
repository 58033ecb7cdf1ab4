import Foundation
import Testing
@testable import VisionPlugin

/// Encoded images in every PNG colour type and bit depth (interlaced or not, with and without
/// tRNS) and CMYK, YCCK, grey, progressive and EXIF-rotated JPEGs, hashed by Python imagehash
/// on `Image.open(file)` as is. Decoding must give Pillow's `convert("RGB")` byte for byte,
/// and the four hashes must equal imagehash's.
@Suite("imagehash fixtures in every image mode", .enabled(if: ImagehashFixtures.available, "set ORGANIC_IMAGEHASH_FIXTURES to a folder made by make_imagehash_fixtures.py"))
struct ImagehashModeFixtureTests {
    /// Every family the fixture script writes; each must be present and bit-exact.
    static let kinds: [String] = {
        var kinds: [String] = []
        for base in ["grey1", "grey2", "grey4", "grey8", "grey16", "grey16low", "grey8trns", "grey16trns",
                     "greyalpha8", "greyalpha16", "rgb8", "rgb16", "rgb8trns", "rgb16trns", "rgba8", "rgba16",
                     "palette1", "palette2", "palette4", "palette8",
                     "palette1trns", "palette2trns", "palette4trns", "palette8trns"] {
            kinds += [base, base + "-interlaced"]
        }
        return kinds + ["jpeg-cmyk", "jpeg-ycck", "jpeg-grey", "jpeg-progressive", "jpeg-rgb", "jpeg-exif-rotated"]
    }()

    @Test("decoded pixels equal Pillow's convert(\"RGB\") and all four hashes equal imagehash, per mode")
    func everyMode() throws {
        let records = try ImagehashFixtures.records().filter { $0.source != nil }
        var perKind: [String: (total: Int, exact: Int)] = [:]
        for record in records {
            guard let bytes = try ImagehashFixtures.encoded(record), let kind = record.kind else { continue }
            let pillow = try ImagehashFixtures.image(record)
            let decoded = try ImageCodec.decode(bytes)
            #expect(decoded == pillow, "pixels \(record.name)")
            let hashes = ImageHashSet.of(decoded)
            let exact = hashes.average == record.average && hashes.perceptual == record.perceptual
                && hashes.difference == record.difference && hashes.color == record.color
            #expect(hashes.average == record.average, "average \(record.name)")
            #expect(hashes.perceptual == record.perceptual, "phash \(record.name)")
            #expect(hashes.difference == record.difference, "dhash \(record.name)")
            #expect(hashes.color == record.color, "colorhash \(record.name)")
            perKind[kind, default: (0, 0)].total += 1
            if exact { perKind[kind, default: (0, 0)].exact += 1 }
        }
        for kind in Self.kinds {
            #expect((perKind[kind]?.total ?? 0) > 0, "no fixtures of kind \(kind)")
        }
        let summary = perKind.keys.sorted().map { "\($0) \(perKind[$0]!.exact)/\(perKind[$0]!.total)" }
        let exact = perKind.values.reduce(0) { $0 + $1.exact }
        print("imagehash mode fixtures: \(exact)/\(records.count) bit-exact (all four hashes); " + summary.joined(separator: ", "))
    }
}
