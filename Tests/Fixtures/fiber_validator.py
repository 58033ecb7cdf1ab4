"""fiber's own validator client (handshake for 1.x, then `make_non_streamed_post`) against a
miner, for the Swift tests of the miner side.

    fiber_validator.py URL MINER_HOTKEY VALIDATOR_SEED PATH < payload.json

Prints {"fiber": version, "answers": [{"status", "body"}, {"status", "body"}]}: the same payload
sent twice (1.x: after one handshake, with the key as fiber's validator keeps it: standard base64).
"""

import asyncio
import base64
import json
import os
import sys
from importlib.metadata import version

# fiber's loggers write to sys.stdout: keep them on stderr, the answer alone on stdout.
answer_out, sys.stdout = sys.stdout, sys.stderr

import httpx  # noqa: E402
from substrateinterface import Keypair  # noqa: E402

url, miner_hotkey, seed, path = sys.argv[1:5]
payload = json.load(sys.stdin)
keypair = Keypair.create_from_seed(seed)
fiber_version = version("fiber")


async def main() -> dict:
    answers = []
    async with httpx.AsyncClient() as client:
        if fiber_version.startswith("1."):
            from cryptography.fernet import Fernet

            from fiber.validator import client as validator_client
            from fiber.validator import handshake

            # perform_handshake's steps, with fiber's own functions but a longer timeout than its
            # fixed 3 s (a loaded 2-core test machine runs several Python peers at once).
            public_key = await handshake.get_public_encryption_key(client, url, timeout=30)
            symmetric_key, uuid = os.urandom(32), os.urandom(32).hex()
            await handshake.send_symmetric_key_to_server(
                client, url, keypair, public_key, symmetric_key, uuid, miner_hotkey, timeout=30
            )
            key = base64.b64encode(symmetric_key).decode()
            for _ in range(2):
                response = await validator_client.make_non_streamed_post(
                    client, url, keypair.ss58_address, miner_hotkey, keypair, Fernet(key), uuid, path, dict(payload), timeout=30
                )
                answers.append({"status": response.status_code, "body": response.text})
        else:
            from fiber.validator import client as validator_client

            for _ in range(2):
                response = await validator_client.make_non_streamed_post(
                    client, url, keypair.ss58_address, miner_hotkey, keypair, path, dict(payload), timeout=30
                )
                answers.append({"status": response.status_code, "body": response.text})
    return {"fiber": fiber_version, "answers": answers}


json.dump(asyncio.run(main()), answer_out)
