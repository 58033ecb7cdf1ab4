"""The Bittensor SDK 10.x side of the Axon-synapse cross-checks (AxonSynapseInteropTests).

    axon_synapse_sdk.py str          stdin: ["<json text>", ...]  ->  {"unicode": "14.0.0", "str": [str(json.loads(t)), ...]}
    axon_synapse_sdk.py check        stdin: {"cases": [case, ...]} ->  [result, ...]

A case is a request our codec produced, {"fields": {name: type}, "hash_fields": [...],
"headers": {...}, "body": "<json>"}, and is checked the way a bittensor 10 Axon checks it: a
bt.Synapse subclass with those fields and required_hash_fields is built from the body and gives
body_hash (verify_body_integrity), and the signature is verified with bittensor_wallet's Keypair
over the SDK's message, then by a real Axon's default_verify on the synapse built from the headers.
Only the standard library is needed for `str`.
"""
import asyncio
import json
import sys
import types
import unicodedata
from typing import Any, Optional


def python_str(texts):
    return {"unicode": unicodedata.unidata_version, "str": [str(json.loads(t)) for t in texts]}


def check(cases):
    import bittensor as bt
    import pydantic
    from bittensor_wallet import Keypair

    types_by_name = {
        "str": str, "int": int, "float": float, "bool": bool, "any": Any, "list": list, "dict": dict,
        "list[float]": list[float], "list[int]": list[int], "optional[str]": Optional[str],
        "optional[float]": Optional[float], "dict[str, float]": dict[str, float],
    }
    nullable = {"any", "optional[str]", "optional[float]"}
    results = []
    for case in cases:
        # Fields that may be null default to None: the SDK's dendrite sends no header for a null
        # value, so a required one could not be rebuilt from headers (by its dendrite or ours).
        fields = {name: (types_by_name[kind], None if kind in nullable else ...) for name, kind in case["fields"].items()}
        probe = pydantic.create_model("Probe", __base__=bt.Synapse, **fields)
        probe.required_hash_fields = tuple(case["hash_fields"])
        headers = case["headers"]
        body = json.loads(case["body"])
        synapse = probe(**body)
        result = {"body_hash": synapse.body_hash, "name": synapse.name}
        message = (f"{headers['bt_header_dendrite_nonce']}.{headers['bt_header_dendrite_hotkey']}."
                   f"{headers['bt_header_axon_hotkey']}.{headers['bt_header_dendrite_uuid']}."
                   f"{headers['computed_body_hash']}")
        result["message"] = message
        result["signature_valid"] = Keypair(ss58_address=headers["bt_header_dendrite_hotkey"]).verify(
            message, headers["bt_header_dendrite_signature"])
        # The axon's own check, on the synapse its middleware builds from the headers alone.
        axon_keypair = Keypair(ss58_address=headers["bt_header_axon_hotkey"])
        axon = types.SimpleNamespace(wallet=types.SimpleNamespace(hotkey=axon_keypair), nonces={})
        try:
            from_headers = probe.from_headers(headers)
            asyncio.run(bt.Axon.default_verify(axon, from_headers))
            result["default_verify"] = "ok"
        except Exception as error:  # the refusal text is the result
            result["default_verify"] = f"{type(error).__name__}: {error}"
        results.append(result)
    return results


def main():
    command = sys.argv[1]
    payload = json.load(sys.stdin)
    if command == "str":
        out = python_str(payload)
    elif command == "check":
        out = check(payload["cases"])
    else:
        raise SystemExit(f"unknown command {command}")
    json.dump(out, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
