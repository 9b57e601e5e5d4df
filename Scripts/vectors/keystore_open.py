#!/usr/bin/env python3
"""Opens a keystore v3 file with eth-account, an independent implementation, and checks its address.

Usage: keystore_open.py FILE PASSWORD EXPECTED_ADDRESS

Exits 0 when eth_account.Account.decrypt opens FILE with PASSWORD and the key's address is EXPECTED_ADDRESS
(compared without regard to case); 1 otherwise, saying why. Clave's KeystoreTests run it on keystores Clave wrote.
Needs: pip install eth-account
"""

import json
import sys


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    path, password, expected = argv[1], argv[2], argv[3]
    try:
        from eth_account import Account
    except ImportError:
        print("eth-account is not installed: pip install eth-account", file=sys.stderr)
        return 1
    with open(path, encoding="utf-8") as file:
        keyfile = json.load(file)
    try:
        key = Account.decrypt(keyfile, password)
    except ValueError as error:
        print(f"eth-account could not decrypt {path}: {error}", file=sys.stderr)
        return 1
    address = Account.from_key(key).address
    if address.lower() != expected.lower():
        print(f"eth-account decrypted {path} to {address}, not {expected}", file=sys.stderr)
        return 1
    print(f"eth-account opened {path}: {address}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
