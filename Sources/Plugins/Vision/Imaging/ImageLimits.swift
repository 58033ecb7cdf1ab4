/// Resource ceilings applied to untrusted encoded images *before* decoding.
///
/// Compressed images can claim enormous dimensions in a few bytes
/// (decompression bombs), so the header is checked against these limits
/// before any pixel buffer is allocated.
package struct ImageLimits: Sendable, Equatable {
    /// Maximum size of the encoded byte stream (default 16 MiB).
    package var maxEncodedBytes: Int
    /// Maximum `width * height` (default 2048 * 2048 = 4_194_304).
    package var maxPixels: Int
    /// Maximum of either side in pixels (default 4096).
    package var maxDimension: Int

    package init(
        maxEncodedBytes: Int = 16 * 1024 * 1024,
        maxPixels: Int = 2048 * 2048,
        maxDimension: Int = 4096
    ) {
        self.maxEncodedBytes = maxEncodedBytes
        self.maxPixels = maxPixels
        self.maxDimension = maxDimension
    }

    /// The widest budget of any image the plugin handles after its endpoint's own checks (callers'
    /// images are held to tighter input limits first): 8192 on a side, 8192² pixels.
    package static let largest = ImageLimits(maxPixels: 8192 * 8192, maxDimension: 8192)

    /// Throws `image_too_large` / `image_too_many_pixels` when a header's
    /// dimensions exceed these limits. Zero or negative sizes are corrupt.
    func check(width: Int, height: Int) throws(ImageDecodingError) {
        guard width > 0, height > 0 else {
            throw ImageDecodingError(.corruptImage, "image header has zero size (\(width)x\(height))")
        }
        guard width <= maxDimension, height <= maxDimension else {
            throw ImageDecodingError(
                .imageTooLarge,
                "image is \(width)x\(height); the largest side allowed is \(maxDimension)")
        }
        // Also guarantees width * height * 3 (the RGB buffer size) fits an Int.
        let (area, overflow) = width.multipliedReportingOverflow(by: height)
        let (_, bufferOverflow) = area.multipliedReportingOverflow(by: 3)
        guard !overflow, !bufferOverflow, area <= maxPixels else {
            throw ImageDecodingError(
                .imageTooManyPixels,
                "image is \(width)x\(height); at most \(maxPixels) pixels are allowed")
        }
    }
}
