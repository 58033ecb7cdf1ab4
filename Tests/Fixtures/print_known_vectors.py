#!/usr/bin/env python3
"""Print imagehash results for the formula images hard-coded in KnownVectorTests.swift,
plus the scipy DCT-II bit patterns used by its DCT test.

Requires: pip install imagehash pillow numpy scipy
Usage:    python3 print_known_vectors.py
"""
import struct

import imagehash
import numpy as np
import scipy.fftpack
from PIL import Image


def make(w, h, f):
    a = np.zeros((h, w, 3), dtype=np.uint8)
    for y in range(h):
        for x in range(w):
            a[y, x] = [v % 256 for v in f(x, y)]
    return Image.fromarray(a, "RGB")


IMAGES = {
    "formula 7x5": (7, 5, lambda x, y: (x * 53 + y * 29, x * x * 7 + y * 13, x * y * 31 + 17)),
    "gradient checker 64x48": (64, 48, lambda x, y: (x * 4, y * 5, ((x // 8 + y // 8) % 2) * 255)),
    "tall 33x100": (33, 100, lambda x, y: (x * x + y * 3, y * y // 7 + x, x * y)),
    "flat 20x20": (20, 20, lambda x, y: (120, 200, 40)),
}

for name, (w, h, f) in IMAGES.items():
    im = make(w, h, f)
    print(name, imagehash.average_hash(im), imagehash.phash(im), imagehash.dhash(im), imagehash.colorhash(im))

x = np.array([(i * i * 7 + 3 * i) % 256 for i in range(32)], dtype=np.uint8)
print("dct", ["0x%016x" % struct.unpack("<Q", struct.pack("<d", v))[0] for v in scipy.fftpack.dct(x)[:8]])
