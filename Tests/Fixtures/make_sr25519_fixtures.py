#!/usr/bin/env python3
"""Black-box peer for OrganicCrypto's sr25519 / SS58 / btauth/1 code.

Uses the official implementations (py-sr25519-bindings = schnorrkel, scalecodec,
and, when installed, bittensor 11's bittensor_core = sp-core and
bittensor.http_auth) so the Swift side is checked against real peers.

Modes:
  fixtures [N]   print JSON fixtures (seeds, pubkeys, ss58, messages, signatures)
  verify         read JSON [{"scheme","pubkey","message","signature"}] on stdin,
                 print JSON [bool, ...] (sr25519 via schnorrkel and, if present, sp-core)
  btauth         read JSON [{build_payload kwargs, body hex}] on stdin, print payload hex list
  btauth-verify  read JSON [{"headers","body","method","path","self_hotkey"}] on stdin,
                 print JSON ["ok" | AuthError class name, ...] from bittensor.http_auth.verify
  bench [N]      print JSON {"sign_per_sec", "verify_per_sec"} for py-sr25519-bindings

Setup: python3 -m venv cryptovenv && cryptovenv/bin/pip install py-sr25519-bindings scalecodec bittensor
"""
import hashlib
import json
import sys
import time

import sr25519
from scalecodec.utils.ss58 import ss58_encode

try:  # bittensor >= 11 (optional peer)
    import bittensor_core
    from bittensor.http_auth import build_payload
except Exception:  # pragma: no cover - optional dependency
    bittensor_core = None
    build_payload = None


def seed_for(i: int) -> bytes:
    return hashlib.sha256(b"organic-fixture-%d" % i).digest()


def messages():
    return [
        b"",
        b"hello bittensor",
        bytes(range(256))[:200],  # crosses STROBE's 166-byte rate
        b"x" * 1000,
        b"btauth/1\nsr25519\nPOST\n/v1/score?x=1\n" + b"0" * 64 + b"\n1700000000000000000\nS\n-",
    ]


def fixtures(n: int):
    sr, ed = [], []
    for i in range(n):
        seed = seed_for(i)
        pk, sk = sr25519.pair_from_seed(seed)
        msg = messages()[i % len(messages())]
        sig = sr25519.sign((pk, sk), msg)
        assert sr25519.verify(sig, msg, pk)
        sr.append({"seed": seed.hex(), "pubkey": pk.hex(), "ss58": ss58_encode(pk.hex(), 42),
                   "message": msg.hex(), "signature": bytes(sig).hex()})
        if bittensor_core is not None:
            kp = bittensor_core.Keypair.create_from_seed(seed, crypto_type=bittensor_core.CRYPTO_ED25519)
            esig = bytes(kp.sign(msg))
            ed.append({"seed": seed.hex(), "pubkey": bytes(kp.public_key).hex(), "ss58": kp.ss58_address,
                       "message": msg.hex(), "signature": esig.hex()})
    out = {"sr25519": sr, "ed25519": ed}
    if bittensor_core is not None:
        alice = bittensor_core.Keypair.create_from_uri("//Alice")
        out["alice"] = {"pubkey": bytes(alice.public_key).hex(), "ss58": alice.ss58_address}
    if build_payload is not None:
        out["btauth"] = [
            {"scheme": "sr25519", "method": "post", "path": "/v1/score?task=7&x=%20y", "body": b'{"a":1}'.hex(),
             "nonce_ns": 1700000000123456789, "sender_ss58": "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
             "receiver_ss58": "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"},
            {"scheme": "ed25519", "method": "GET", "path": "/", "body": "", "nonce_ns": 1,
             "sender_ss58": "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", "receiver_ss58": None},
        ]
        for case in out["btauth"]:
            kwargs = dict(case)
            kwargs["body"] = bytes.fromhex(case["body"])
            case["payload"] = build_payload(**kwargs).hex()
    return out


def verify(items):
    results = []
    for it in items:
        pk, msg, sig = (bytes.fromhex(it[k]) for k in ("pubkey", "message", "signature"))
        scheme = it.get("scheme", "sr25519")
        if scheme == "sr25519":
            ok = bool(sr25519.verify(sig, msg, pk))
            if bittensor_core is not None:  # sp-core must agree with schnorrkel
                ok = ok and bool(bittensor_core.verify(msg, sig, ss58_encode(pk.hex(), 42),
                                                       crypto_type=bittensor_core.CRYPTO_SR25519))
        else:
            ok = bool(bittensor_core.verify(msg, sig, ss58_encode(pk.hex(), 42),
                                            crypto_type=bittensor_core.CRYPTO_ED25519))
        results.append(ok)
    return results


def btauth_verify(items):
    from bittensor import http_auth

    results = []
    for it in items:
        headers = it["headers"]
        try:
            http_auth.verify(headers, bytes.fromhex(it["body"]), method=it["method"], path=it["path"],
                             self_hotkey_ss58=it["self_hotkey"], now_ns=int(headers["X-Bittensor-Nonce"]),
                             nonce_store=http_auth.InMemoryNonceStore())
            results.append("ok")
        except http_auth.AuthError as exc:
            results.append(type(exc).__name__)
    return results


def bench(n: int):
    pk, sk = sr25519.pair_from_seed(seed_for(0))
    msg = b"btauth/1 benchmark message of typical length " * 4
    t0 = time.perf_counter()
    for _ in range(n):
        sig = sr25519.sign((pk, sk), msg)
    t1 = time.perf_counter()
    for _ in range(n):
        assert sr25519.verify(sig, msg, pk)
    t2 = time.perf_counter()
    return {"sign_per_sec": n / (t1 - t0), "verify_per_sec": n / (t2 - t1)}


def main(argv):
    mode = argv[1] if len(argv) > 1 else "fixtures"
    if mode == "fixtures":
        print(json.dumps(fixtures(int(argv[2]) if len(argv) > 2 else 8), indent=1))
    elif mode == "verify":
        print(json.dumps(verify(json.load(sys.stdin))))
    elif mode == "btauth-verify":
        print(json.dumps(btauth_verify(json.load(sys.stdin))))
    elif mode == "bench":
        print(json.dumps(bench(int(argv[2]) if len(argv) > 2 else 5000)))
    else:
        sys.exit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv)
