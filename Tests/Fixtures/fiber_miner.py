"""A real fiber miner for the Swift tests: fiber's own FastAPI app factory, security
dependencies (stake blacklist, nonce and signature check) and, for fiber 1.x, its key exchange
and body decryption, with two example endpoints.

    fiber_miner.py WORKDIR READY_FILE < config.json

config.json: {"miner_seed": "0x…", "validators": [{"hotkey": "5…", "stake": 2000.0}, …],
              "min_stake": 1000, "lifetime": 300, "encrypted": false}
("encrypted": true with fiber 2.x serves fiber.encrypted, the 1.0 protocol that 2.x still ships.)

What fiber needs for a local run, all through its own configuration (fiber/miner/core/configuration.py):
- NETUID set, REFRESH_NODES=false: no chain connection; LOAD_OLD_NODES (any value) makes its
  Metagraph load `nodes.json` from the working directory: that file lists the validators here;
- MIN_STAKE_THRESHOLD: the stake a validator needs (fiber's default 1000);
- WALLET_NAME/HOTKEY_NAME: the miner's hotkey file under $HOME/.bittensor/wallets (fiber reads
  only `secretSeed`).
The working directory also receives what fiber writes at shutdown (nodes.json, and for 1.x the
exchanged keys, `<hotkey>_symmetric_keys.encrypted`, which it reloads at the next start).

Endpoints: POST /echo -> {"echo", "sum", "validator", "nonce"} and POST /stream -> one SSE event
per number, each behind fiber's `blacklist_low_stake` and `verify_request`; for 1.x the payload
comes through `decrypt_general_payload`. Harness only (not fiber): POST /harness/forget-keys
empties fiber's key store, as a restart or the 5-hour expiry would.

The server listens on 127.0.0.1 on a free port and writes {"port", "miner_hotkey", "fiber", "encrypted"} to
READY_FILE once it accepts connections. It stops when WORKDIR/stop appears, when its parent
exits, or after `lifetime` seconds.
"""

import importlib
import json
import os
import socket
import sys
import threading
import time
from functools import partial
from importlib.metadata import version

workdir, ready_file = sys.argv[1], sys.argv[2]
config = json.load(sys.stdin)
os.chdir(workdir)
os.environ.update(
    {
        "HOME": workdir,
        "NETUID": "19",
        "REFRESH_NODES": "false",
        "LOAD_OLD_NODES": "true",
        "MIN_STAKE_THRESHOLD": str(int(config.get("min_stake", 1000))),  # fiber parses it with int()
        "WALLET_NAME": "miner",
        "HOTKEY_NAME": "default",
    }
)

from substrateinterface import Keypair  # noqa: E402

miner = Keypair.create_from_seed(config["miner_seed"])
hotkeys = os.path.join(workdir, ".bittensor", "wallets", "miner", "hotkeys")
os.makedirs(hotkeys, exist_ok=True)
with open(os.path.join(hotkeys, "default"), "w") as f:
    json.dump({"secretSeed": config["miner_seed"], "publicKey": "0x" + miner.public_key.hex(), "ss58Address": miner.ss58_address}, f)

nodes = {}
for uid, validator in enumerate(config["validators"]):
    nodes[validator["hotkey"]] = {
        "hotkey": validator["hotkey"], "coldkey": validator["hotkey"], "node_id": uid, "incentive": 0.0, "netuid": 19,
        "stake": validator["stake"], "trust": 0.0, "vtrust": 0.0, "last_updated": 0.0, "ip": "0.0.0.0", "ip_type": 4, "port": 0,
    }
with open("nodes.json", "w") as f:
    json.dump(nodes, f)

import uvicorn  # noqa: E402
from fastapi import APIRouter, Depends, Header  # noqa: E402
from fastapi.responses import StreamingResponse  # noqa: E402
from pydantic import BaseModel  # noqa: E402

fiber_version = version("fiber")
# fiber 2.x keeps 1.0's encrypted protocol under fiber.encrypted; "encrypted": true selects it.
encrypted = fiber_version.startswith("1.") or bool(config.get("encrypted"))
package = "fiber.encrypted" if encrypted and not fiber_version.startswith("1.") else "fiber"

server = importlib.import_module(f"{package}.miner.server")
configuration = importlib.import_module(f"{package}.miner.core.configuration")
dependencies = importlib.import_module(f"{package}.miner.dependencies")
blacklist_low_stake, verify_request = dependencies.blacklist_low_stake, dependencies.verify_request


class EchoRequest(BaseModel):
    text: str
    numbers: list[int] = []
    nonce: str | None = None  # fiber 1.x's validator adds one to every payload


def answer(payload: EchoRequest, validator_hotkey: str) -> dict:
    return {"echo": payload.text, "sum": sum(payload.numbers), "validator": validator_hotkey, "nonce": payload.nonce}


def events(payload: EchoRequest) -> StreamingResponse:
    async def body():
        for n in payload.numbers:
            yield f"data: {json.dumps({'n': n})}\n\n"

    return StreamingResponse(body(), media_type="text/event-stream")


if encrypted:
    decrypt_general_payload = importlib.import_module(f"{package}.miner.security.encryption").decrypt_general_payload

    Payload = Depends(partial(decrypt_general_payload, EchoRequest))

    async def echo(payload: EchoRequest = Payload, validator_hotkey: str = Header(..., alias="validator-hotkey")):
        return answer(payload, validator_hotkey)

    async def stream(payload: EchoRequest = Payload):
        return events(payload)

else:

    async def echo(payload: EchoRequest, validator_hotkey: str = Header(..., alias="validator-hotkey")):
        return answer(payload, validator_hotkey)

    async def stream(payload: EchoRequest):
        return events(payload)


async def forget_keys():
    if encrypted:
        configuration.factory_config().encryption_keys_handler.symmetric_keys_fernets.clear()
    return {"forgotten": encrypted}


app = server.factory_app(debug=False)
router = APIRouter()
secured = [Depends(blacklist_low_stake), Depends(verify_request)]
router.add_api_route("/echo", echo, methods=["POST"], dependencies=secured)
router.add_api_route("/stream", stream, methods=["POST"], dependencies=secured)
router.add_api_route("/harness/forget-keys", forget_keys, methods=["POST"])
app.include_router(router)

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", 0))
port = sock.getsockname()[1]
uvicorn_server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
parent = os.getppid()
stop_file = os.path.join(workdir, "stop")
deadline = time.time() + float(config.get("lifetime", 300))


def watch() -> None:
    announced = False
    while True:
        if not announced and uvicorn_server.started:
            with open(ready_file + ".tmp", "w") as f:
                json.dump({"port": port, "miner_hotkey": miner.ss58_address, "fiber": fiber_version, "encrypted": encrypted}, f)
            os.rename(ready_file + ".tmp", ready_file)
            announced = True
        if os.path.exists(stop_file) or os.getppid() != parent or time.time() > deadline:
            uvicorn_server.should_exit = True
            return
        time.sleep(0.05)


threading.Thread(target=watch, daemon=True).start()
uvicorn_server.run(sockets=[sock])
