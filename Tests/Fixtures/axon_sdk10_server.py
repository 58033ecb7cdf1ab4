"""A real bittensor 10.x Axon serving one synapse, for AxonSynapseEndToEndTests.

    axon_sdk10_server.py <dir>

Creates a wallet with a fresh unencrypted hotkey under <dir>, serves `Echo` on 127.0.0.1 at a
free port with the SDK's default verify and no blacklist, writes {"port", "hotkey"} to
<dir>/ready.json, and exits when <dir>/stop appears, when its parent goes away, or after
five minutes.
"""
import json
import os
import socket
import sys
import time
from typing import ClassVar

import bittensor.utils.networking as networking

# The Axon looks up its external IP on the internet unless told; tests stay offline.
networking.get_external_ip = lambda: "127.0.0.1"

import bittensor as bt  # noqa: E402
import bittensor_wallet  # noqa: E402


class Echo(bt.Synapse):
    text: str
    count: int = 0
    ratio: float = 0.0
    answer: str = ""
    required_hash_fields: ClassVar = ("text", "count", "ratio")


def forward(synapse: Echo) -> Echo:
    synapse.answer = f"{synapse.text}|{synapse.count}|{synapse.ratio}"
    return synapse


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    directory = sys.argv[1]
    parent = os.getppid()
    wallet = bittensor_wallet.Wallet(name="axon", hotkey="default", path=directory)
    wallet.create_new_coldkey(use_password=False, overwrite=True, suppress=True)
    wallet.create_new_hotkey(use_password=False, overwrite=True, suppress=True)
    port = free_port()
    axon = bt.Axon(wallet=wallet, ip="127.0.0.1", port=port, external_ip="127.0.0.1")
    axon.attach(forward_fn=forward)
    axon.start()
    # uvicorn binds in its own thread: wait until the port answers.
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    ready = os.path.join(directory, "ready.json")
    with open(ready + ".tmp", "w") as out:
        json.dump({"port": port, "hotkey": wallet.hotkey.ss58_address}, out)
    os.rename(ready + ".tmp", ready)
    stop = os.path.join(directory, "stop")
    deadline = time.time() + 300
    while not os.path.exists(stop) and os.getppid() == parent and time.time() < deadline:
        time.sleep(0.05)
    axon.stop()
    print("stopped", flush=True)


if __name__ == "__main__":
    main()
