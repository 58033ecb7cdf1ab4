import VisionPlugin

/// Builds PNG files byte by byte (stored/uncompressed zlib blocks, real
/// CRCs), independent of libpng, so tests can produce every colour type and
/// bit depth as well as deliberately hostile headers.
enum TestPNGBuilder {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
            }
        }
        return ~crc
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(crc32(typeBytes + data))
    }

    static func ihdr(width: UInt32, height: UInt32, bitDepth: UInt8, colorType: UInt8, interlaced: Bool = false)
        -> [UInt8]
    {
        chunk("IHDR", bigEndian(width) + bigEndian(height) + [bitDepth, colorType, 0, 0, interlaced ? 1 : 0])
    }

    /// zlib stream made of stored (uncompressed) deflate blocks.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let count = min(65535, data.count - offset)
            let isLast = offset + count == data.count
            out.append(isLast ? 1 : 0)
            out += [UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            out += data[offset..<(offset + count)]
            offset += count
        } while offset < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return out + bigEndian(b << 16 | a)
    }

    /// A complete non-interlaced PNG. `rows` holds raw sample bytes per row
    /// (filter type 0 is prepended here).
    static func make(
        width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, rows: [[UInt8]],
        palette: [UInt8]? = nil
    ) -> [UInt8] {
        var raw: [UInt8] = []
        for row in rows { raw += [0] + row }
        var png = signature + ihdr(width: UInt32(width), height: UInt32(height), bitDepth: bitDepth, colorType: colorType)
        if let palette { png += chunk("PLTE", palette) }
        png += chunk("IDAT", zlibStored(raw))
        png += chunk("IEND", [])
        return png
    }

    /// An Adam7-interlaced 8-bit RGB PNG of `image`.
    static func makeInterlaced(_ image: RGBImage) -> [UInt8] {
        // (x0, dx, y0, dy) for the seven Adam7 passes.
        let passes = [(0, 8, 0, 8), (4, 8, 0, 8), (0, 4, 4, 8), (2, 4, 0, 4), (0, 2, 2, 4), (1, 2, 0, 2), (0, 1, 1, 2)]
        var raw: [UInt8] = []
        for (x0, dx, y0, dy) in passes {
            for y in stride(from: y0, to: image.height, by: dy) {
                let xs = Array(stride(from: x0, to: image.width, by: dx))
                if xs.isEmpty { continue }
                raw.append(0)
                for x in xs {
                    let i = (y * image.width + x) * 3
                    raw += image.pixels[i..<(i + 3)]
                }
            }
        }
        return signature
            + ihdr(width: UInt32(image.width), height: UInt32(image.height), bitDepth: 8, colorType: 2, interlaced: true)
            + chunk("IDAT", zlibStored(raw)) + chunk("IEND", [])
    }
}

/// Small image-comparison helpers shared by the tests.
enum TestImageMetrics {
    static func meanAbsoluteDifference(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.pixels.count == b.pixels.count)
        var total = 0
        for i in 0..<a.pixels.count { total += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
        return Double(total) / Double(max(1, a.pixels.count))
    }

    /// 64-bit difference hash (dHash): 9x8 grey thumbnail, one bit per
    /// horizontal neighbour comparison. A stand-in for the reward model's
    /// perceptual hash.
    static func differenceHash(_ image: RGBImage) -> UInt64 {
        let thumb = ImageResampler.resize(image, width: 9, height: 8)
        var hash: UInt64 = 0
        for y in 0..<8 {
            for x in 0..<8 {
                let left = luma(thumb, x, y)
                let right = luma(thumb, x + 1, y)
                hash = hash << 1 | (left > right ? 1 : 0)
            }
        }
        return hash
    }

    static func luma(_ image: RGBImage, _ x: Int, _ y: Int) -> Int {
        let i = (y * image.width + x) * 3
        return 299 * Int(image.pixels[i]) + 587 * Int(image.pixels[i + 1]) + 114 * Int(image.pixels[i + 2])
    }

    static func hamming(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }
}
