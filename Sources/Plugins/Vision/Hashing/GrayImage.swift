/// 8-bit single-channel image (Pillow mode "L"), row-major.
struct GrayImage: Sendable, Equatable {
    var width: Int
    var height: Int
    var pixels: [UInt8]

    /// Valid RGB input with at least one pixel; anything else hashes as all-zero bits
    /// instead of trapping, since images come from untrusted miners.
    static func isUsable(_ image: RGBImage) -> Bool {
        guard image.width > 0, image.height > 0 else { return false }
        let (area, areaOverflow) = image.width.multipliedReportingOverflow(by: image.height)
        let (bytes, bytesOverflow) = area.multipliedReportingOverflow(by: 3)
        return !areaOverflow && !bytesOverflow && image.pixels.count >= bytes
    }
}
