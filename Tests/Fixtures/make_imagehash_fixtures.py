#!/usr/bin/env python3
"""Generate reference fixtures for the Swift perceptual-hash tests.

Writes, into OUT_DIR (default: ./imagehash-fixtures):
  <name>.rgb      raw RGB bytes, row-major, width*height*3
  hashes.json     [{name, width, height, file, average, perceptual, difference, color}]
With --exhaustive it also writes allcolors.rgb (4096x4096, every 24-bit colour once),
allcolors.l (Pillow convert('L')) and allcolors.hsv (Pillow convert('HSV')) so the
Swift colour conversions can be checked against Pillow for every possible input.

Requires: pip install imagehash pillow numpy scipy
Usage:    python3 make_imagehash_fixtures.py [OUT_DIR] [--exhaustive] [--extra=N]
          (--extra=N appends N random images of random sizes, for agreement statistics)
          ORGANIC_IMAGEHASH_FIXTURES=OUT_DIR swift test
"""
import json
import os
import sys

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
