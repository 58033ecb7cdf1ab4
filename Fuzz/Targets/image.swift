// libFuzzer target: the PNG and JPEG header readers and decoders that read uploaded images, and the
// validation that checks an image decodes without decoding it (it must agree with the decoder)
// (with small limits, so that a bomb is refused rather than decoded for long).
// Built by scripts/fuzz.sh with the sources it lists; never part of the package build.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? ImageCodec.readHeader(bytes)
    let limits = ImageLimits(maxEncodedBytes: 1 << 20, maxPixels: 256 * 256, maxDimension: 1024)
    let decoded: Result<RGBImage, ImageDecodingError> = Result { () throws(ImageDecodingError) in try ImageCodec.decode(bytes, limits: limits) }
    let verified: Result<(format: ImageFormat, width: Int, height: Int), ImageDecodingError> =
        Result { () throws(ImageDecodingError) in try ImageCodec.verify(bytes, limits: limits) }
    // Validation without decoding must accept exactly what decoding accepts, with the same error.
    switch (decoded, verified) {
    case let (.success(image), .success(size)):
        if image.width != size.width || image.height != size.height { fatalError("verify and decode disagree on the size") }
    case let (.failure(a), .failure(b)):
        if a.code != b.code { fatalError("verify and decode disagree: \(a.code) vs \(b.code)") }
    default:
        fatalError("verify and decode disagree on whether the image decodes")
    }
    return 0
}
