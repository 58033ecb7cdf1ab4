#!/usr/bin/env python3
"""sr25519 sign/verify throughput of py-sr25519-bindings (Rust schnorrkel), for
`organic-bench crypto`, which runs it in the same process run as the Swift side.

Usage: sr25519_python_bench.py ITERATIONS MESSAGE_HEX  -> JSON {"sign_per_sec", "verify_per_sec"}
"""
import json
import sys
import time

import sr25519

n = int(sys.argv[1])
message = bytes.fromhex(sys.argv[2])
public, secret = sr25519.pair_from_seed(bytes(range(32)))
start = time.perf_counter()
for _ in range(n):
    signature = sr25519.sign((public, secret), message)
signed = time.perf_counter()
for _ in range(n):
    if not sr25519.verify(signature, message, public):
        sys.exit("verification failed")
verified = time.perf_counter()
print(json.dumps({"sign_per_sec": n / (signed - start), "verify_per_sec": n / (verified - signed)}))
