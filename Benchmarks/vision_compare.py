#!/usr/bin/env python3
"""Python side of `organic-bench vision`: the same work with Pillow and imagehash.

    python3 Benchmarks/vision_compare.py FILE.png [ITERATIONS]

Prints {"codec": seconds, "hashes": seconds} (medians): decode + jitter of 1-3 pixels + PNG
re-encode (Pillow's default compression), and average/perceptual/difference/colour hash of the
decoded image.
"""
import io
import json
import random
import statistics
import sys
import time

import imagehash
from PIL import Image


def median_time(n, fn):
    fn()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    data = open(path, "rb").read()
    rng = random.Random(1)

    def codec():
        img = Image.open(io.BytesIO(data)).convert("RGB")
        px = img.load()
        for _ in range(rng.randint(1, 3)):
            x, y = rng.randrange(img.width), rng.randrange(img.height)
            px[x, y] = tuple(min(255, max(0, c + rng.choice((-1, 1)))) for c in px[x, y])
        out = io.BytesIO()
        img.save(out, format="PNG")

    image = Image.open(io.BytesIO(data)).convert("RGB")
    image.load()

    def hashes():
        imagehash.average_hash(image)
        imagehash.phash(image)
        imagehash.dhash(image)
        imagehash.colorhash(image)

    print(json.dumps({"codec": median_time(n, codec), "hashes": median_time(n, hashes)}))


if __name__ == "__main__":
    main()
