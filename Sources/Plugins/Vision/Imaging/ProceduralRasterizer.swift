/// Turns a `ProceduralScene` into pixels using integer arithmetic only,
/// so output is byte-identical across CPUs, OSes and compiler versions.
///
/// All loops are concrete (non-generic) and work on raw pointers so they run
/// at full speed even when called from another module; each shape touches
/// only its bounding box.
enum ProceduralRasterizer {
    /// Largest side the rasteriser accepts; bigger requests are clamped.
    static let maxSide = 8192

    /// Mutable view of the pixel buffer for the duration of one render.
    struct Canvas {
        let base: UnsafeMutablePointer<UInt8>
        let width: Int
        let height: Int
        var minSide: Int { min(width, height) }
    }

    static func render(_ scene: ProceduralScene, width: Int, height: Int) -> RGBImage {
        let w = min(maxSide, max(0, width))
        let h = min(maxSide, max(0, height))
        guard w > 0, h > 0 else { return RGBImage(width: w, height: h, pixels: []) }
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        pixels.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let canvas = Canvas(base: base, width: w, height: h)
            drawBackground(scene, on: canvas)
            for shape in scene.shapes {
                switch shape.kind {
                case .disc, .ring: drawEllipse(shape, on: canvas)
                case .band: drawBand(shape, on: canvas)
                case .blob: drawBlob(shape, on: canvas)
                }
            }
            applyFinish(scene, on: canvas)
        }
        return RGBImage(width: w, height: h, pixels: pixels)
    }

    /// Alpha-blends (r,g,b) over the pixel at `p` with alpha in 0...256.
    @inline(__always)
    static func blend(_ p: UnsafeMutablePointer<UInt8>, _ r: Int, _ g: Int, _ b: Int, _ alpha: Int) {
        let r0 = Int(p[0])
        let g0 = Int(p[1])
        let b0 = Int(p[2])
        // Result stays between the two inputs, so it always fits a byte.
        p[0] = UInt8(truncatingIfNeeded: r0 &+ (((r &- r0) &* alpha) >> 8))
        p[1] = UInt8(truncatingIfNeeded: g0 &+ (((g &- g0) &* alpha) >> 8))
        p[2] = UInt8(truncatingIfNeeded: b0 &+ (((b &- b0) &* alpha) >> 8))
    }

    /// Q16 position of the centre of pixel `i` along an axis of `n` pixels.
    @inline(__always)
    static func centre16(_ i: Int, _ n: Int) -> Int {
        ((2 * i + 1) << 15) / n
    }

    // MARK: Background: four-corner gradient plus smooth value noise.

    static func drawBackground(_ scene: ProceduralScene, on canvas: Canvas) {
        let w = canvas.width
        let h = canvas.height
        let cells = max(1, scene.cloudCells)
        let stride = cells + 1
        guard scene.corners.count == 4, scene.cloudValues.count == stride * stride else { return }
        let tl = scene.corners[0], tr = scene.corners[1], bl = scene.corners[2], br = scene.corners[3]
        let tint = scene.cloudTint

        var xPos = [Int](repeating: 0, count: w)
        var xCell = [Int](repeating: 0, count: w)
        var xFrac = [Int](repeating: 0, count: w)
        for x in 0..<w {
            let t = centre16(x, w)
            xPos[x] = t
            let cellPos = t * cells
            let cell = min(cells - 1, cellPos >> 16)
            xCell[x] = cell
            xFrac[x] = ImagingFixedPoint.smooth16(cellPos - (cell << 16))
        }
        var rowValues = [Int](repeating: 0, count: stride)

        scene.cloudValues.withUnsafeBufferPointer { grid in
            for y in 0..<h {
                let ty = centre16(y, h)
                let lr = tl.r + (((bl.r - tl.r) * ty) >> 16)
                let lg = tl.g + (((bl.g - tl.g) * ty) >> 16)
                let lb = tl.b + (((bl.b - tl.b) * ty) >> 16)
                let dr = tr.r + (((br.r - tr.r) * ty) >> 16) - lr
                let dg = tr.g + (((br.g - tr.g) * ty) >> 16) - lg
                let db = tr.b + (((br.b - tr.b) * ty) >> 16) - lb

                let cellPos = ty * cells
                let cell = min(cells - 1, cellPos >> 16)
                let fy = ImagingFixedPoint.smooth16(cellPos - (cell << 16))
                for i in 0..<stride {
                    let a = grid[cell * stride + i]
                    let b = grid[(cell + 1) * stride + i]
                    rowValues[i] = a + (((b - a) * fy) >> 16)
                }

                rowValues.withUnsafeBufferPointer { row in
                    xPos.withUnsafeBufferPointer { pos in
                        xCell.withUnsafeBufferPointer { cx in
                            xFrac.withUnsafeBufferPointer { fx in
                                var p = canvas.base + y * w * 3
                                for x in 0..<w {
                                    let t = pos[x]
                                    let c = cx[x]
                                    let a = row[c]
                                    let cloud = a &+ (((row[c + 1] &- a) &* fx[x]) >> 16)
                                    let r = lr &+ ((dr &* t) >> 16) &+ ((cloud &* tint.r) >> 8)
                                    let g = lg &+ ((dg &* t) >> 16) &+ ((cloud &* tint.g) >> 8)
                                    let b = lb &+ ((db &* t) >> 16) &+ ((cloud &* tint.b) >> 8)
                                    p[0] = ImagingFixedPoint.clampByte(r)
                                    p[1] = ImagingFixedPoint.clampByte(g)
                                    p[2] = ImagingFixedPoint.clampByte(b)
                                    p += 3
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: Discs and rings: rotated ellipses evaluated in normalised space.

    static func drawEllipse(_ shape: ProceduralScene.Shape, on canvas: Canvas) {
        let w = canvas.width
        let h = canvas.height
        let side = canvas.minSide
        let cx = (shape.centerX * w) >> 16
        let cy = (shape.centerY * h) >> 16
        var rx = max(1, (shape.radiusX * side) >> 16)
        var ry = max(1, (shape.radiusY * side) >> 16)
        // Aspect ratio <= 4 bounds every intermediate below well inside Int64.
        rx = min(rx, ry * 4)
        ry = min(ry, rx * 4)
        let isRing = shape.kind == .ring
        let extent = max(rx, ry) * (isRing ? 5 : 4) / 4 + 1
        let x0 = max(0, cx - extent), x1 = min(w - 1, cx + extent)
        let y0 = max(0, cy - extent), y1 = min(h - 1, cy + extent)
        guard x0 <= x1, y0 <= y1 else { return }

        let cosA = ImagingFixedPoint.cos256(shape.angle)
        let sinA = ImagingFixedPoint.sin256(shape.angle)
        let invRx = (1 << 34) / rx
        let invRy = (1 << 34) / ry
        let one = ImagingFixedPoint.one16
        // Disc: opaque for q < softness, fading to 0 at q = 1.
        let inner = min(one - 1, max(0, shape.softness))
        let discEdgeMul = (256 << 16) / (one - inner)
        // Ring: peak at q = 1, fading to 0 at |q - 1| = half-width.
        let ringHalf = max(1, shape.softness)
        let ringMul = (256 << 16) / ringHalf
        let opacity = shape.opacity
        let base = shape.color, lit = shape.highlight

        for y in y0...y1 {
            let dy = y - cy
            let dx0 = x0 - cx
            var u = dx0 * cosA + dy * sinA
            var v = dy * cosA - dx0 * sinA
            var p = canvas.base + (y * w + x0) * 3
            for _ in x0...x1 {
                let un = (u &* invRx) >> 32
                let vn = (v &* invRy) >> 32
                let q = (un &* un &+ vn &* vn) >> 16
                u &+= cosA
                v &-= sinA
                if isRing {
                    let d = abs(q - one)
                    if d < ringHalf {
                        let a = ImagingFixedPoint.smooth256(((ringHalf - d) * ringMul) >> 16)
                        let m = a >> 1
                        blend(
                            p, base.r + (((lit.r - base.r) * m) >> 8), base.g + (((lit.g - base.g) * m) >> 8),
                            base.b + (((lit.b - base.b) * m) >> 8), (a * opacity) >> 8)
                    }
                } else if q < one {
                    let a = ImagingFixedPoint.smooth256(((one - q) * discEdgeMul) >> 16)
                    let m = (one - q) >> 8  // 0...256: brightest at the centre
                    blend(
                        p, base.r + (((lit.r - base.r) * m) >> 8), base.g + (((lit.g - base.g) * m) >> 8),
                        base.b + (((lit.b - base.b) * m) >> 8), (a * opacity) >> 8)
                }
                p += 3
            }
        }
    }

    // MARK: Bands: soft stripes with a sinusoidal wobble across the picture.

    static func drawBand(_ shape: ProceduralScene.Shape, on canvas: Canvas) {
        let w = canvas.width
        let h = canvas.height
        let side = canvas.minSide
        let cx = (shape.centerX * w) >> 16
        let cy = (shape.centerY * h) >> 16
        let halfWidth16 = max(16, ((shape.radiusX * side) >> 16) * 16)  // Q4 pixels
        let inner16 = (halfWidth16 * min(65535, max(0, shape.softness))) >> 16
        let edgeMul = (256 << 16) / max(1, halfWidth16 - inner16)
        let coreMul = (256 << 16) / halfWidth16
        let amplitude = (shape.waveAmplitude * side) >> 16  // pixels
        let wavelength = max(4, (shape.waveLength * side) >> 16)  // pixels
        let phaseStep = (256 << 8) / wavelength  // 1/256 turn per pixel, Q8
        let cosA = ImagingFixedPoint.cos256(shape.angle)
        let sinA = ImagingFixedPoint.sin256(shape.angle)
        let opacity = shape.opacity
        let base = shape.color, lit = shape.highlight

        ImagingFixedPoint.sineTable.withUnsafeBufferPointer { sine in
            for y in 0..<h {
                let dy = y - cy
                // Across-band distance (Q14 pixels) and along-band coordinate.
                var across = -cx * cosA + dy * sinA
                var along = cx * sinA + dy * cosA
                var p = canvas.base + y * w * 3
                for _ in 0..<w {
                    let alongPx = along >> 14
                    let phase = (((alongPx &* phaseStep) >> 8) &+ shape.wavePhase) & 255
                    let offset = amplitude &* sine[phase]  // Q14 pixels
                    let distance16 = abs((across &- offset) >> 10)  // Q4 pixels
                    across &+= cosA
                    along &-= sinA
                    if distance16 < halfWidth16 {
                        let edge = distance16 <= inner16 ? 256 : ((halfWidth16 - distance16) * edgeMul) >> 16
                        let a = ImagingFixedPoint.smooth256(edge)
                        let m = ((halfWidth16 - distance16) * coreMul) >> 17  // 0...128
                        blend(
                            p, base.r + (((lit.r - base.r) * m) >> 8), base.g + (((lit.g - base.g) * m) >> 8),
                            base.b + (((lit.b - base.b) * m) >> 8), (a * opacity) >> 8)
                    }
                    p += 3
                }
            }
        }
    }

    // MARK: Blobs: metaballs, a sum of circular fields thresholded smoothly.

    static func drawBlob(_ shape: ProceduralScene.Shape, on canvas: Canvas) {
        let w = canvas.width
        let h = canvas.height
        let side = canvas.minSide
        let cx = (shape.centerX * w) >> 16
        let cy = (shape.centerY * h) >> 16
        guard !shape.satellites.isEmpty else { return }

        struct Ball {
            var x: Int
            var y: Int
            var inverseRadiusSquared: Int  // 2^32 / r²
        }
        var balls: [Ball] = []
        var bx0 = Int.max, by0 = Int.max, bx1 = Int.min, by1 = Int.min
        for s in shape.satellites {
            let r = max(1, (s.radius * side) >> 16)
            let x = cx + ((s.dx * side) >> 16)
            let y = cy + ((s.dy * side) >> 16)
            balls.append(Ball(x: x, y: y, inverseRadiusSquared: (1 << 32) / (r * r)))
            bx0 = min(bx0, x - r)
            by0 = min(by0, y - r)
            bx1 = max(bx1, x + r)
            by1 = max(by1, y + r)
        }
        let x0 = max(0, bx0), x1 = min(w - 1, bx1)
        let y0 = max(0, by0), y1 = min(h - 1, by1)
        guard x0 <= x1, y0 <= y1 else { return }

        let one = ImagingFixedPoint.one16
        let threshold = one / 5
        let ramp = one * 3 / 10
        let rampMul = (256 << 16) / ramp
        let opacity = shape.opacity
        let base = shape.color, lit = shape.highlight

        balls.withUnsafeBufferPointer { balls in
            for y in y0...y1 {
                var p = canvas.base + (y * w + x0) * 3
                for x in x0...x1 {
                    var field = 0
                    for ball in balls {
                        let dx = x &- ball.x
                        let dy = y &- ball.y
                        let q = ((dx &* dx &+ dy &* dy) &* ball.inverseRadiusSquared) >> 16
                        if q < one {
                            let f = one &- q
                            field &+= (f &* f) >> 16
                        }
                    }
                    if field > threshold {
                        let a = ImagingFixedPoint.smooth256(((field - threshold) * rampMul) >> 16)
                        let m = min(256, (field - threshold) >> 8)
                        blend(
                            p, base.r + (((lit.r - base.r) * m) >> 8), base.g + (((lit.g - base.g) * m) >> 8),
                            base.b + (((lit.b - base.b) * m) >> 8), (a * opacity) >> 8)
                    }
                    p += 3
                }
            }
        }
    }

    // MARK: Finish: contrast around mid-grey and a vignette.

    static func applyFinish(_ scene: ProceduralScene, on canvas: Canvas) {
        let w = canvas.width
        let h = canvas.height
        let strength = min(128, max(0, scene.vignette))
        let contrast = scene.contrast

        func falloff(_ i: Int, _ n: Int) -> Int {
            let d = centre16(i, n) - 32768  // -0.5...0.5 in Q16
            let d2 = (d * d) >> 14  // 0...65536 (4 d²)
            return (d2 * strength) >> 16  // 0...strength
        }
        var xFalloff = [Int](repeating: 0, count: w)
        for x in 0..<w { xFalloff[x] = falloff(x, w) }

        xFalloff.withUnsafeBufferPointer { fx in
            for y in 0..<h {
                let fy = falloff(y, h)
                var p = canvas.base + y * w * 3
                for x in 0..<w {
                    let gain = 256 &- fx[x] &- fy  // >= 0 since strength <= 128
                    for c in 0..<3 {
                        let v = ((((((Int(p[c]) &- 128) &* contrast) >> 8) &+ 128) &* gain) >> 8)
                        p[c] = ImagingFixedPoint.clampByte(v)
                    }
                    p += 3
                }
            }
        }
    }
}
