#!/usr/bin/env python3
"""Organic's bridge to the official Bittensor SDK for setting weights.

The node runs this script once per operation with one JSON object on stdin and reads
one JSON object from stdout, so that extrinsic signing, commit-reveal and timelock
encryption are done by the network's own maintained code (`pip install bittensor`).

Requests (stdin):
  {"op": "check"}
      -> {"ok": true, "sdk": "bittensor 11.3.0"} or {"ok": false, "error": "..."}
  {"op": "convert", "vectors": [{"uids": [int], "weights": [float]}, ...]}
      -> {"ok": true, "results": [{"uids": [int], "weights": [int]}, ...]}
         (the SDK's own u16 quantisation, for cross-checks)
  {"op": "set_weights", "netuid": int, "uids": [int], "weights": [int u16],
   "version_key": int, "wallet": str, "hotkey": str, "wallet_path": str|null,
   "network": str}
      -> {"ok": true, "result": "..."} or {"ok": false, "error": "..."}

The hotkey password (for encrypted keyfiles) is read from ORGANIC_WALLET_PASSWORD.
Errors are reported as {"ok": false, ...}; the exit status is 0 unless stdin is not JSON.
"""
import json
import os
import sys


def sdk():
    import bittensor  # noqa: F401  (imported lazily so "check" can report its absence)
    return bittensor


def op_check(_req):
    try:
        bt = sdk()
    except Exception as exc:  # ImportError and broken installs alike
        return {"ok": False, "error": f"bittensor SDK not importable: {exc}"}
    version = getattr(bt, "__version__", None)
    if version is None:
        import importlib.metadata
        version = importlib.metadata.version("bittensor")
    return {"ok": True, "sdk": f"bittensor {version}"}


def op_convert(req):
    sdk()
    from bittensor.intents.weights import normalize
    results = []
    for vector in req["vectors"]:
        uids, values = normalize(vector["uids"], vector["weights"])
        results.append({"uids": [int(u) for u in uids], "weights": [int(v) for v in values]})
    return {"ok": True, "results": results}


def op_set_weights(req):
    bt = sdk()
    path = req.get("wallet_path") or None
    wallet = bt.Wallet(req["wallet"], req["hotkey"], path) if path else bt.Wallet(req["wallet"], req["hotkey"])
    password = os.environ.get("ORGANIC_WALLET_PASSWORD")
    if password:
        wallet.get_hotkey(password)  # unlocks and caches the hotkey for signing
    uids = [int(u) for u in req["uids"]]
    weights = [float(w) for w in req["weights"]]
    result = bt.set_weights(
        int(req["netuid"]), weights, uids=uids, wallet=wallet,
        version_key=int(req.get("version_key", 0)), network=req.get("network") or "finney",
    )
    return {"ok": True, "result": str(result)}


OPS = {"check": op_check, "convert": op_convert, "set_weights": op_set_weights}


def main():
    try:
        req = json.load(sys.stdin)
    except Exception as exc:
        print(json.dumps({"ok": False, "error": f"request is not JSON: {exc}"}))
        return 2
    handler = OPS.get(req.get("op"))
    if handler is None:
        out = {"ok": False, "error": f"unknown op {req.get('op')!r}"}
    else:
        try:
            out = handler(req)
        except Exception as exc:
            out = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
