#!/usr/bin/env python3
"""Generate reference fixtures for the Swift perceptual-hash tests.

Writes, into OUT_DIR (default: ./imagehash-fixtures):
  <name>.rgb      raw RGB bytes, row-major, width*height*3
  hashes.json     [{name, width, height, file, average, perceptual, difference, color}]
  <name>.png/.jpg encoded images in every PNG colour type and bit depth (grey, grey+alpha,
                  RGB, RGBA, palette with and without tRNS; 1, 2, 4, 8, 16 bits; interlaced)
                  and CMYK, YCCK, grey, progressive and EXIF-rotated JPEGs. Their records
                  add "source" (the encoded file), "kind" and "mode" (Pillow's mode); the
                  hashes are imagehash's on Image.open(source) as is (no convert, no
                  exif_transpose) and "file" holds Pillow's convert("RGB") bytes.
With --exhaustive it also writes allcolors.rgb (4096x4096, every 24-bit colour once),
allcolors.l (Pillow convert('L')) and allcolors.hsv (Pillow convert('HSV')) so the
Swift colour conversions can be checked against Pillow for every possible input.

Requires: pip install imagehash pillow numpy scipy
Usage:    python3 make_imagehash_fixtures.py [OUT_DIR] [--exhaustive] [--extra=N]
          (--extra=N appends N random images of random sizes, for agreement statistics)
          ORGANIC_IMAGEHASH_FIXTURES=OUT_DIR swift test
"""
import ctypes
import ctypes.util
import io
import json
import os
import struct
import sys
import zlib

import imagehash
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SEED = 20251126


def noise(rng, w, h):
    return Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8), "RGB")


def gradient(w, h, direction):
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    if direction == "h":
        t = xs / max(w - 1, 1)
    elif direction == "v":
        t = ys / max(h - 1, 1)
    else:
        t = (xs + ys) / max(w + h - 2, 1)
    r = (t * 255).round()
    g = ((1 - t) * 255).round()
    b = (np.sin(t * np.pi) * 255).round()
    return Image.fromarray(np.stack([r, g, b], -1).astype(np.uint8), "RGB")


def hue_wheel(w, h):
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    hue = (np.arctan2(ys - h / 2, xs - w / 2) / (2 * np.pi) + 0.5) * 255
    sat = np.clip(np.hypot(ys - h / 2, xs - w / 2) / (min(w, h) / 2) * 255, 0, 255)
    hsv = np.stack([hue, sat, np.full_like(hue, 230)], -1).astype(np.uint8)
    return Image.fromarray(hsv, "HSV").convert("RGB")


def shapes(rng, w, h, count):
    bg = tuple(int(v) for v in rng.integers(0, 256, 3))
    im = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(im)
    for _ in range(count):
        x0, x1 = sorted(rng.integers(0, w, 2).tolist())
        y0, y1 = sorted(rng.integers(0, h, 2).tolist())
        fill = tuple(int(v) for v in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            d.ellipse([x0, y0, x1, y1], fill=fill)
        else:
            d.rectangle([x0, y0, x1, y1], fill=fill)
    return im


def photo_like(rng, w, h):
    """Smooth low-frequency structure plus mild grain, like a downscaled photo."""
    base = noise(rng, max(w // 32, 2), max(h // 32, 2)).resize((w, h), Image.BICUBIC)
    base = base.filter(ImageFilter.GaussianBlur(radius=max(w, h) / 64))
    grain = rng.normal(0, 6, (h, w, 3))
    arr = np.clip(np.asarray(base, dtype=np.float64) + grain, 0, 255).astype(np.uint8)
    return Image.fromarray(arr, "RGB")


def build_images():
    rng = np.random.default_rng(SEED)
    imgs = []
    for c, col in enumerate([(0, 0, 0), (255, 255, 255), (128, 128, 128), (200, 30, 40)]):
        imgs.append((f"solid{c}_64x64", Image.new("RGB", (64, 64), col)))
    imgs.append(("solid_gray_1024x1024", Image.new("RGB", (1024, 1024), (90, 90, 90))))
    for w, h in [(1, 1), (8, 8), (9, 8), (13, 7), (32, 32), (33, 33), (64, 48), (100, 75),
                 (257, 129), (3, 500), (640, 480), (1024, 1024)]:
        imgs.append((f"noise_{w}x{h}", noise(rng, w, h)))
    for d in "hvd":
        for w, h in [(64, 64), (301, 199)]:
            imgs.append((f"grad{d}_{w}x{h}", gradient(w, h, d)))
    imgs.append(("huewheel_256x256", hue_wheel(256, 256)))
    imgs.append(("huewheel_511x383", hue_wheel(511, 383)))
    for i, (w, h) in enumerate([(64, 64), (200, 150), (512, 512), (1023, 767), (1024, 1024)]):
        imgs.append((f"shapes{i}_{w}x{h}", shapes(rng, w, h, 12)))
    for i, (w, h) in enumerate([(128, 128), (320, 240), (777, 555), (1024, 1024), (1920, 1080)]):
        imgs.append((f"photo{i}_{w}x{h}", photo_like(rng, w, h)))
    # Left-right mirror symmetric image: many DCT coefficients are exactly zero, so phash
    # depends on floating-point noise; kept to measure that case.
    half = np.asarray(photo_like(rng, 256, 512))
    imgs.append(("mirror_512x512", Image.fromarray(np.concatenate([half, half[:, ::-1]], 1), "RGB")))
    imgs.append(("checker_96x96", Image.fromarray(
        (np.indices((96, 96)).sum(0) // 12 % 2 * 255).astype(np.uint8)).convert("RGB")))
    # Tall and wide strips exercise Pillow's vertical-first pass order and upscaling.
    imgs.append(("noise_40x900", noise(rng, 40, 900)))
    imgs.append(("photo_tall_300x1200", photo_like(rng, 300, 1200)))
    imgs.append(("photo_wide_1200x200", photo_like(rng, 1200, 200)))
    imgs.append(("shapes_small_12x20", shapes(rng, 12, 20, 4)))
    # Low-saturation and dark images stress colorhash's grey/black bins.
    dark = np.clip(np.asarray(photo_like(rng, 256, 192), dtype=np.int32) // 6, 0, 255).astype(np.uint8)
    imgs.append(("dark_256x192", Image.fromarray(dark, "RGB")))
    grayish = np.asarray(photo_like(rng, 200, 200), dtype=np.int32)
    grayish = ((grayish + grayish.mean(-1, keepdims=True) * 3) // 4).astype(np.uint8)
    imgs.append(("grayish_200x200", Image.fromarray(grayish, "RGB")))
    return imgs


def extra_images(count, seed):
    """Random mix for measuring agreement rates beyond the committed fixture list."""
    rng = np.random.default_rng(seed)
    kinds = ["noise", "photo", "shapes", "grad", "mirror", "solid"]
    for i in range(count):
        kind = kinds[i % len(kinds)]
        w = int(rng.integers(1, 1300)) if rng.random() < 0.7 else int(rng.choice([8, 9, 32, 64, 512, 1024]))
        h = int(rng.integers(1, 1300)) if rng.random() < 0.7 else int(rng.choice([8, 9, 32, 64, 512, 1024]))
        if kind == "noise":
            im = noise(rng, w, h)
        elif kind == "photo":
            im = photo_like(rng, w, h)
        elif kind == "shapes":
            im = shapes(rng, w, h, 10)
        elif kind == "grad":
            im = gradient(w, h, "hvd"[i % 3])
        elif kind == "mirror":
            half = np.asarray(photo_like(rng, max(w // 2, 1), h))
            im = Image.fromarray(np.ascontiguousarray(np.concatenate([half, half[:, ::-1]], 1)), "RGB")
        else:
            im = Image.new("RGB", (w, h), tuple(int(v) for v in rng.integers(0, 256, 3)))
        yield f"extra{i:04d}_{kind}_{im.width}x{im.height}", im


# ---- Encoded images in every mode ------------------------------------------------------------
# PNGs are written by hand (Pillow cannot write most of these colour type / bit depth pairs).

ADAM7 = [(0, 8, 0, 8), (4, 8, 0, 8), (0, 4, 4, 8), (2, 4, 0, 4), (0, 2, 2, 4), (1, 2, 0, 2), (0, 1, 1, 2)]


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pack_row(samples, depth):
    """One row of samples (1-D ints) packed at `depth` bits, big-endian."""
    if depth == 16:
        return samples.astype(">u2").tobytes()
    if depth == 8:
        return samples.astype(np.uint8).tobytes()
    per = 8 // depth
    padded = np.concatenate([samples, np.zeros((-len(samples)) % per, dtype=samples.dtype)]).astype(np.uint16)
    packed = np.zeros(len(padded) // per, dtype=np.uint16)
    for i in range(per):
        packed = (packed << depth) | padded[i::per]
    return packed.astype(np.uint8).tobytes()


def encode_png(samples, depth, color_type, palette=None, trns=None, interlace=False, level=6):
    """samples: (h, w, channels) array of sample values at `depth` bits."""
    h, w, _ = samples.shape
    raw = bytearray()
    passes = ADAM7 if interlace else [(0, 1, 0, 1)]
    for x0, dx, y0, dy in passes:
        sub = samples[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        for row in sub:
            raw += b"\0" + pack_row(row.reshape(-1), depth)
    out = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, int(interlace)))
    if palette is not None:
        out += png_chunk(b"PLTE", bytes(palette))
    if trns is not None:
        out += png_chunk(b"tRNS", bytes(trns))
    return out + png_chunk(b"IDAT", zlib.compress(bytes(raw), level)) + png_chunk(b"IEND", b"")


def grey_plane(rng, w, h, kind):
    """0...255 grey content of a few kinds."""
    if kind == "photo":
        return np.asarray(photo_like(rng, w, h).convert("L"), dtype=np.int64)
    if kind == "shapes":
        return np.asarray(shapes(rng, w, h, 8).convert("L"), dtype=np.int64)
    return rng.integers(0, 256, (h, w))


def rgb_planes(rng, w, h, kind):
    if kind == "photo":
        return np.asarray(photo_like(rng, w, h), dtype=np.int64)
    if kind == "shapes":
        return np.asarray(shapes(rng, w, h, 8), dtype=np.int64)
    return rng.integers(0, 256, (h, w, 3))


def alpha_plane(rng, w, h):
    """Varying alpha with fully transparent and fully opaque areas."""
    ys, xs = np.mgrid[0:h, 0:w]
    a = (xs * 255 // max(w - 1, 1) + rng.integers(-40, 41, (h, w)))
    a[(ys * 4 // max(h, 1)) == 0] = 0
    a[(ys * 4 // max(h, 1)) == 3] = 255
    return np.clip(a, 0, 255)


def widen(plane8, rng, depth):
    """8-bit content to `depth` bits (16 bits gets low-byte noise so both bytes matter)."""
    if depth == 16:
        return plane8 * 256 + rng.integers(0, 256, plane8.shape)
    return plane8 >> (8 - depth)


def png_cases(rng):
    sizes = [(64, 48), (33, 33), (9, 8), (1, 1), (200, 150), (257, 129)]
    kinds = ["photo", "shapes", "noise"]
    cases = []
    n = 0

    def add(label, samples, depth, color_type, **kw):
        nonlocal n
        for interlace in (False, True):
            name = f"png_{label}{'_interlaced' if interlace else ''}_{n:03d}_{samples.shape[1]}x{samples.shape[0]}"
            cases.append((name, label + ("-interlaced" if interlace else ""),
                          encode_png(samples, depth, color_type, interlace=interlace, **kw), "png"))
        n += 1

    for i, (w, h) in enumerate(sizes):
        kind = kinds[i % len(kinds)]
        g = grey_plane(rng, w, h, kind)
        c = rgb_planes(rng, w, h, kind)
        a = alpha_plane(rng, w, h)
        for depth in (1, 2, 4, 8, 16):
            add(f"grey{depth}", widen(g, rng, depth)[..., None], depth, 0)
        # 16-bit grey below and around 255, where Pillow's clip and the kept low byte both show.
        add("grey16low", rng.integers(0, 512, (h, w, 1)), 16, 0)
        key = int(widen(g, rng, 8)[0, 0])
        add("grey8trns", g[..., None], 8, 0, trns=struct.pack(">H", key))
        add("grey16trns", widen(g, rng, 16)[..., None], 16, 0, trns=struct.pack(">H", int(g[0, 0]) * 256))
        for depth in (8, 16):
            add(f"greyalpha{depth}", np.stack([widen(g, rng, depth), widen(a, rng, depth)], -1), depth, 4)
            add(f"rgb{depth}", widen(c, rng, depth), depth, 2)
            add(f"rgba{depth}", np.concatenate([widen(c, rng, depth), widen(a, rng, depth)[..., None]], -1), depth, 6)
            k = widen(c, rng, depth)
            add(f"rgb{depth}trns", k, depth, 2, trns=struct.pack(">HHH", *[int(v) for v in k[0, 0]]))
        for depth in (1, 2, 4, 8):
            entries = int(rng.integers(max(1, (1 << depth) // 2), (1 << depth) + 1))
            palette = rng.integers(0, 256, entries * 3).astype(np.uint8)
            # Indices follow the grey content so palette images have structure.
            idx = (g * entries // 256)[..., None]
            add(f"palette{depth}", idx, depth, 3, palette=palette.tobytes())
            alphas = rng.integers(0, 256, int(rng.integers(1, entries + 1))).astype(np.uint8)
            alphas[0] = 0
            add(f"palette{depth}trns", idx, depth, 3, palette=palette.tobytes(), trns=alphas.tobytes())
    return cases


def turbojpeg_ycck(cmyk, quality=90):
    """A YCCK JPEG from CMYK bytes via libturbojpeg (TurboJPEG writes CMYK as YCCK); None when
    the library is not available. Pillow itself only writes plain CMYK JPEGs."""
    path = ctypes.util.find_library("turbojpeg")
    try:
        lib = ctypes.CDLL(path or "libturbojpeg.so.0")
    except OSError:
        return None
    lib.tjInitCompress.restype = ctypes.c_void_p
    lib.tjCompress2.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                                ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_ulong), ctypes.c_int, ctypes.c_int,
                                ctypes.c_int]
    lib.tjFree.argtypes = [ctypes.c_void_p]
    lib.tjDestroy.argtypes = [ctypes.c_void_p]
    h, w, _ = cmyk.shape
    handle = lib.tjInitCompress()
    buf, size = ctypes.c_void_p(), ctypes.c_ulong(0)
    tjpf_cmyk, tjsamp_420 = 11, 2
    rc = lib.tjCompress2(handle, cmyk.astype(np.uint8).tobytes(), w, w * 4, h, tjpf_cmyk, ctypes.byref(buf),
                         ctypes.byref(size), tjsamp_420, quality, 0)
    data = ctypes.string_at(buf, size.value) if rc == 0 else None
    lib.tjFree(buf)
    lib.tjDestroy(handle)
    return data


def jpeg_cases(rng):
    cases = []
    for i, (w, h) in enumerate([(64, 48), (200, 150), (33, 17), (257, 129)]):
        photo = photo_like(rng, w, h)
        cmyk = Image.fromarray(rng.integers(0, 256, (h, w, 4), dtype=np.uint8), "CMYK") if i % 2 else photo.convert("CMYK")
        for kind, im, opts in [("jpeg-cmyk", cmyk, {}), ("jpeg-grey", photo.convert("L"), {}),
                               ("jpeg-progressive", photo, {"progressive": True}),
                               ("jpeg-rgb", shapes(rng, w, h, 8), {"subsampling": 0})]:
            out = io.BytesIO()
            im.save(out, "JPEG", quality=85, **opts)
            cases.append((f"{kind}_{i}_{w}x{h}", kind, out.getvalue(), "jpg"))
        for orientation in (3, 6, 8):
            exif = Image.Exif()
            exif[0x0112] = orientation
            out = io.BytesIO()
            photo.save(out, "JPEG", quality=90, exif=exif.tobytes())
            cases.append((f"jpeg-exif{orientation}_{i}_{w}x{h}", "jpeg-exif-rotated", out.getvalue(), "jpg"))
        ycck = turbojpeg_ycck(np.asarray(cmyk))
        if ycck is not None:
            cases.append((f"jpeg-ycck_{i}_{w}x{h}", "jpeg-ycck", ycck, "jpg"))
        else:
            print("warning: libturbojpeg not found; no YCCK JPEG fixtures", file=sys.stderr)
    return cases


def encoded_records(out):
    rng = np.random.default_rng(SEED + 7)
    records = []
    for name, kind, data, ext in png_cases(rng) + jpeg_cases(rng):
        source = f"{name}.{ext}"
        with open(os.path.join(out, source), "wb") as f:
            f.write(data)
        im = Image.open(io.BytesIO(data))
        im.load()
        rgb_name = f"{name}.rgb"
        with open(os.path.join(out, rgb_name), "wb") as f:
            f.write(im.convert("RGB").tobytes())
        records.append({
            "name": name, "width": im.width, "height": im.height, "file": rgb_name, "source": source,
            "kind": kind, "mode": im.mode,
            "average": str(imagehash.average_hash(im)),
            "perceptual": str(imagehash.phash(im)),
            "difference": str(imagehash.dhash(im)),
            "color": str(imagehash.colorhash(im)),
        })
    return records


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out = args[0] if args else "imagehash-fixtures"
    extra = 0
    for flag in sys.argv[1:]:
        if flag.startswith("--extra="):
            extra = int(flag.split("=", 1)[1])
    os.makedirs(out, exist_ok=True)
    records = []
    images = build_images()
    if extra:
        images = list(images) + list(extra_images(extra, SEED + 1))
    for name, im in images:
        im = im.convert("RGB")
        fname = name + ".rgb"
        with open(os.path.join(out, fname), "wb") as f:
            f.write(im.tobytes())
        records.append({
            "name": name, "width": im.width, "height": im.height, "file": fname,
            "average": str(imagehash.average_hash(im)),
            "perceptual": str(imagehash.phash(im)),
            "difference": str(imagehash.dhash(im)),
            "color": str(imagehash.colorhash(im)),
        })
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow warns about palette transparency as bytes
        records += encoded_records(out)
    with open(os.path.join(out, "hashes.json"), "w") as f:
        json.dump(records, f, indent=1)
    if "--exhaustive" in sys.argv:
        allc = np.arange(1 << 24, dtype=np.uint32)
        rgb = np.stack([(allc >> 16) & 255, (allc >> 8) & 255, allc & 255], -1).astype(np.uint8)
        im = Image.fromarray(rgb.reshape(4096, 4096, 3), "RGB")
        for suffix, data in [("rgb", im.tobytes()), ("l", im.convert("L").tobytes()),
                             ("hsv", im.convert("HSV").tobytes())]:
            with open(os.path.join(out, "allcolors." + suffix), "wb") as f:
                f.write(data)
    print(f"wrote {len(records)} fixtures to {out}")


if __name__ == "__main__":
    main()
