#!/usr/bin/env python3
"""Time Python imagehash's four hashes on a raw RGB file (compare with HashBench/all()).

Usage: python3 time_imagehash.py image.rgb WIDTH HEIGHT
"""
import sys
import time

import imagehash
import numpy as np
from PIL import Image

w, h = int(sys.argv[2]), int(sys.argv[3])
im = Image.fromarray(np.fromfile(sys.argv[1], dtype=np.uint8).reshape(h, w, 3), "RGB")


def four():
    return (str(imagehash.average_hash(im)), str(imagehash.phash(im)),
            str(imagehash.dhash(im)), str(imagehash.colorhash(im)))


four()
for name, f in [("average", lambda: imagehash.average_hash(im)), ("phash", lambda: imagehash.phash(im)),
                ("dhash", lambda: imagehash.dhash(im)), ("colorhash", lambda: imagehash.colorhash(im)),
                ("all four", four)]:
    samples = []
    for _ in range(30):
        t = time.perf_counter()
        f()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    print(f"{name}: min {samples[0]:.3f} ms, median {samples[len(samples) // 2]:.3f} ms")
print(*four())
