/// What Pillow's `Image.open(...).convert("RGB")` returns for a PNG, so every decoded image
/// (and so every hash) is the one Python peers see. Pillow's rules, per PNG mode:
///
/// - grey 1 bit (mode "1"): 0 or 255; 2 and 4 bits: the level scaled to 0...255 (×85, ×17);
///   8 bits: as is; 16 bits (mode "I;16"): values above 255 clip to 255.
/// - RGB, grey + alpha and RGBA at 16 bits: the high byte of each sample.
/// - palette: the entry's colour; an index past the palette is black.
/// - alpha and tRNS are ignored: colours are neither composited nor premultiplied.
enum PillowRGB {
    static func convert(_ raster: PNGRaster) -> RGBImage {
        let width = raster.width, height = raster.height
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let rowBytes = raster.rowBytes
        let channels = raster.colorType.channels
        raster.rows.withUnsafeBufferPointer { rows in
            pixels.withUnsafeMutableBufferPointer { out in
                for y in 0..<height {
                    let row = y * rowBytes
                    for x in 0..<width {
                        let o = (y * width + x) * 3
                        switch (raster.colorType, raster.bitDepth) {
                        case (.rgb, 8), (.rgba, 8):
                            let i = row + x * channels
                            out[o] = rows[i]; out[o + 1] = rows[i + 1]; out[o + 2] = rows[i + 2]
                        case (.rgb, _), (.rgba, _):
                            let i = row + x * channels * 2
                            out[o] = rows[i]; out[o + 1] = rows[i + 2]; out[o + 2] = rows[i + 4]
                        case (.greyAlpha, 8):
                            let v = rows[row + x * 2]
                            out[o] = v; out[o + 1] = v; out[o + 2] = v
                        case (.greyAlpha, _):
                            let v = rows[row + x * 4]
                            out[o] = v; out[o + 1] = v; out[o + 2] = v
                        case (.grey, 16):
                            let i = row + x * 2
                            let v = rows[i] != 0 ? 255 : rows[i + 1]
                            out[o] = v; out[o + 1] = v; out[o + 2] = v
                        case (.grey, _):
                            let v = UInt8(truncatingIfNeeded: raster.sample(x: x, y: y, channel: 0) * greyScale(raster.bitDepth))
                            out[o] = v; out[o + 1] = v; out[o + 2] = v
                        case (.palette, _):
                            let index = raster.bitDepth == 8 ? Int(rows[row + x]) : raster.sample(x: x, y: y, channel: 0)
                            if index * 3 + 2 < raster.palette.count {
                                out[o] = raster.palette[index * 3]
                                out[o + 1] = raster.palette[index * 3 + 1]
                                out[o + 2] = raster.palette[index * 3 + 2]
                            }
                        }
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Multiplier taking a grey level of `bitDepth` bits (at most 8) to 0...255.
    static func greyScale(_ bitDepth: Int) -> Int {
        switch bitDepth {
        case 1: 255
        case 2: 85
        case 4: 17
        default: 1
        }
    }
}
