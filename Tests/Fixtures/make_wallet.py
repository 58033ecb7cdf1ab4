#!/usr/bin/env python3
"""Creates a Bittensor wallet hotkey with the official `bittensor-wallet` and prints
JSON {"ss58", "signature_hex", "message_hex"} so tests can check that Organic loads
the same key from the standard layout and verifies its signatures.

Usage: make_wallet.py WALLETS_DIR WALLET HOTKEY
"""
import json
import sys

import bittensor_wallet

path, name, hotkey = sys.argv[1:4]
wallet = bittensor_wallet.Wallet(name=name, hotkey=hotkey, path=path)
wallet.create_new_hotkey(n_words=12, use_password=False, overwrite=True, suppress=True)
message = b"organic wallet interop"
signature = wallet.hotkey.sign(message)
print(json.dumps({"ss58": wallet.hotkey.ss58_address, "message_hex": message.hex(), "signature_hex": bytes(signature).hex()}))
