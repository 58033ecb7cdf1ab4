"""A real bittensor 10.x Dendrite calling a miner that serves the text-embedding plugin as an
Axon (`organic-miner --protocol axon`), for ReferenceMinerProtocolTests.

    axon_sdk10_text_embeddings.py <seed hex> <port> <axon hotkey> <text>

Signs with the sr25519 key of <seed>, sends `TextEmbeddings(input=[<text>, "second"],
dimensions=64, seed=7)` twice to 127.0.0.1:<port> (the second must pass the axon's
increasing-nonce rule), and prints, for each, {"status_code", "status_message", "embeddings",
"input"} as a JSON list.
"""
import asyncio
import json
import sys
from typing import ClassVar, Optional

import bittensor.utils.networking as networking

# The Dendrite looks up its external IP on the internet; tests stay offline. (Not 127.0.0.1:
# the SDK then rewrites the axon's address to 0.0.0.0.)
networking.get_external_ip = lambda: "192.0.2.1"

import bittensor as bt  # noqa: E402
from bittensor_wallet import Keypair  # noqa: E402


class TextEmbeddings(bt.Synapse):
    """The subnet's synapse for the text-embedding plugin (TextEmbeddingEndpoint.synapse)."""

    input: list[str]
    dimensions: int = 64
    seed: Optional[int] = None
    embeddings: list[list[float]] = []
    required_hash_fields: ClassVar = ("input", "dimensions", "seed")


async def main():
    seed, port, axon_hotkey, text = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    dendrite = bt.Dendrite(wallet=Keypair.create_from_seed(seed))
    axon = bt.AxonInfo(version=0, ip="127.0.0.1", port=port, ip_type=4, hotkey=axon_hotkey, coldkey=axon_hotkey)
    results = []
    for _ in range(2):
        synapse = await dendrite.call(axon, TextEmbeddings(input=[text, "second"], dimensions=64, seed=7),
                                      timeout=10, deserialize=False)
        results.append({"status_code": synapse.dendrite.status_code, "status_message": synapse.dendrite.status_message,
                        "embeddings": synapse.embeddings, "input": synapse.input})
    await dendrite.aclose_session()
    print(json.dumps(results))


if __name__ == "__main__":
    asyncio.run(main())
