/// An 8-bit sRGB image: interleaved R,G,B bytes, row-major, no row padding.
///
/// It is the single in-memory pixel format of the vision plugin so codecs,
/// the generator and scoring never have to negotiate layouts.
/// Invariant (not enforced by the memberwise init, checked where it matters):
/// `pixels.count == width * height * 3`. Use `isWellFormed` before trusting
/// an instance assembled from untrusted parts.
package struct RGBImage: Sendable, Equatable {
    package var width: Int
    package var height: Int
    package var pixels: [UInt8]

    /// Wraps existing pixel data without copying or validation.
    package init(width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A solid-colour image; negative sizes are clamped to zero.
    package init(width: Int, height: Int, fill: (r: UInt8, g: UInt8, b: UInt8) = (0, 0, 0)) {
        let w = max(0, width)
        let h = max(0, height)
        self.width = w
        self.height = h
        if fill.r == fill.g && fill.g == fill.b {
            self.pixels = [UInt8](repeating: fill.r, count: w * h * 3)
        } else {
            var bytes = [UInt8](repeating: 0, count: w * h * 3)
            bytes.withUnsafeMutableBufferPointer { buffer in
                var i = 0
                while i < buffer.count {
                    buffer[i] = fill.r
                    buffer[i + 1] = fill.g
                    buffer[i + 2] = fill.b
                    i += 3
                }
            }
            self.pixels = bytes
        }
    }

    /// Number of pixels (`width * height`).
    package var pixelCount: Int { width * height }

    /// True when dimensions are non-negative and `pixels` has exactly
    /// `width * height * 3` bytes.
    package var isWellFormed: Bool {
        guard width >= 0, height >= 0 else { return false }
        let (area, o1) = width.multipliedReportingOverflow(by: height)
        let (bytes, o2) = area.multipliedReportingOverflow(by: 3)
        return !o1 && !o2 && bytes == pixels.count
    }

    /// The pixel at (x, y), or nil when out of bounds or the image is malformed.
    package func pixel(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8)? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        let i = (y * width + x) * 3
        guard i + 2 < pixels.count else { return nil }
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }
}
