#!/usr/bin/env python3
"""Compares jitter inputs and outputs with Pillow, an independent PNG/JPEG reader.

Usage: check_jitter_with_pillow.py IN OUT [IN OUT ...]
Prints one JSON object per pair: Pillow's modes, how many pixels differ, the largest
per-channel difference of colour samples, and whether alpha is identical. Images are compared
in their own mode (np.asarray: 16-bit grey natively, 16-bit colour as Pillow's 8-bit view);
palette images, and pairs whose mode changed (JPEG to PNG, palette expanded), as RGBA.
"""
import json
import sys
import warnings

import numpy as np
from PIL import Image

warnings.simplefilter("ignore")


def planes(a, b):
    if a.mode == b.mode and a.mode != "P":
        x, y = np.asarray(a).astype(np.int64), np.asarray(b).astype(np.int64)
    else:
        x, y = (np.asarray(im.convert("RGBA")).astype(np.int64) for im in (a, b))
    if x.ndim == 2:
        x, y = x[..., None], y[..., None]
    alpha = a.mode in ("LA", "RGBA", "P") or a.mode != b.mode
    return x, y, alpha


args = sys.argv[1:]
for i in range(0, len(args), 2):
    a, b = Image.open(args[i]), Image.open(args[i + 1])
    a.load()
    b.load()
    x, y, has_alpha = planes(a, b)
    colour = slice(0, x.shape[-1] - 1) if has_alpha and x.shape[-1] in (2, 4) else slice(0, x.shape[-1])
    diff = np.abs(x[..., colour] - y[..., colour])
    alpha_same = bool((x[..., -1] == y[..., -1]).all()) if colour.stop < x.shape[-1] else True
    print(json.dumps({"in": a.mode, "out": b.mode, "changed": int((diff.max(-1) > 0).sum()),
                      "maxdiff": int(diff.max()), "alpha_same": alpha_same}))
