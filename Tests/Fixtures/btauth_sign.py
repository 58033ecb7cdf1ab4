#!/usr/bin/env python3
"""Signs a request with the official `bittensor.http_auth.sign` (btauth/1) and prints the
headers as JSON, so tests can check Organic's verifier accepts the SDK's own output.

Usage: btauth_sign.py SEED_HEX METHOD PATH BODY_HEX RECEIVER_SS58
"""
import json
import sys

import bittensor
import bittensor_core

seed, method, path, body, receiver = sys.argv[1:6]
keypair = bittensor_core.Keypair.create_from_seed(bytes.fromhex(seed))
headers = bittensor.http_auth.sign(keypair, method=method, path=path, body=bytes.fromhex(body), receiver_ss58=receiver)
print(json.dumps(headers))
