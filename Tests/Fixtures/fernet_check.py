"""Cross-checks Fernet with Python's `cryptography.fernet` (the implementation fiber uses).

stdin:  {"decrypt": [{"key", "token", "ttl": int|null, "now": int|null}],
         "encrypt": [{"key", "plaintext": hex, "time": int}]}
stdout: {"decrypted": [hex or null (InvalidToken)], "tokens": [token]}
"""

import json
import sys

from cryptography.fernet import Fernet, InvalidToken

request = json.load(sys.stdin)
decrypted = []
for item in request["decrypt"]:
    fernet = Fernet(item["key"])
    try:
        if item.get("ttl") is not None:
            plain = fernet.decrypt_at_time(item["token"], item["ttl"], item["now"])
        else:
            plain = fernet.decrypt(item["token"])
        decrypted.append(plain.hex())
    except InvalidToken:
        decrypted.append(None)
tokens = [
    Fernet(item["key"]).encrypt_at_time(bytes.fromhex(item["plaintext"]), item["time"]).decode()
    for item in request["encrypt"]
]
json.dump({"decrypted": decrypted, "tokens": tokens}, sys.stdout)
