// libFuzzer target: the PNG and JPEG header readers and decoders that read uploaded images
// (with small limits, so that a bomb is refused rather than decoded for long).
// Built by scripts/fuzz.sh with the sources it lists; never part of the package build.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? ImageCodec.readHeader(bytes)
    _ = try? ImageCodec.decode(bytes, limits: ImageLimits(maxEncodedBytes: 1 << 20, maxPixels: 256 * 256, maxDimension: 1024))
    return 0
}
