#!/usr/bin/env python3
"""Open HPKE messages sealed elsewhere (e.g. by the Swift tests) with pyhpke.

Usage: python3 Scripts/vectors/hpke_open.py FILE

FILE has the shape of Tests/ClaveCryptoTests/Fixtures/hpke.json:
    {"suite": {"kem": 32, "kdf": 1, "aead": 2},
     "cases": [{"skR", "pkR", "info", "aad", "plaintext", "enc", "ciphertext"}, ...]}
with every byte string as 0x-prefixed hex. Each case is opened in base mode with
DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and AES-256-GCM, and the result must equal the
case's plaintext. Prints "opened N of N" and exits 0 when all open; otherwise names each
failing case and why, and exits 1.
"""

from __future__ import annotations

import json
import sys

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from pyhpke import AEADId, CipherSuite, KDFId, KEMId

EXPECTED_SUITE = {"kem": 0x0020, "kdf": 0x0001, "aead": 0x0002}
FIELDS = ("skR", "pkR", "info", "aad", "plaintext", "enc", "ciphertext")


def unhex(value: object, field: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise ValueError(f"{field} is not 0x-prefixed hex")
    try:
        return bytes.fromhex(value[2:])
    except ValueError as error:
        raise ValueError(f"{field} is not valid hex: {error}") from None


def open_case(suite: CipherSuite, case: object) -> None:
    if not isinstance(case, dict):
        raise ValueError("case is not a JSON object")
    missing = [field for field in FIELDS if field not in case]
    if missing:
        raise ValueError(f"missing fields {', '.join(missing)}")
    values = {field: unhex(case[field], field) for field in FIELDS}
    if len(values["skR"]) != 32 or len(values["pkR"]) != 32 or len(values["enc"]) != 32:
        raise ValueError("skR, pkR and enc must be 32 bytes")
    sk_r = suite.kem.deserialize_private_key(values["skR"])
    derived_pk = X25519PrivateKey.from_private_bytes(values["skR"]).public_key().public_bytes_raw()
    if derived_pk != values["pkR"]:
        raise ValueError("pkR is not the public key of skR")
    context = suite.create_recipient_context(values["enc"], sk_r, values["info"])
    try:
        opened = context.open(values["ciphertext"], values["aad"])
    except Exception as error:  # pyhpke raises its own OpenError on a bad tag
        raise ValueError(f"open failed: {type(error).__name__}: {error}") from None
    if opened != values["plaintext"]:
        raise ValueError(
            f"plaintext differs: opened {len(opened)} bytes 0x{opened.hex()[:64]}..., "
            f"expected {len(values['plaintext'])} bytes 0x{values['plaintext'].hex()[:64]}..."
        )


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: hpke_open.py FILE", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        document = json.load(handle)
    if document.get("suite") != EXPECTED_SUITE:
        print(f"unsupported suite {document.get('suite')!r}; expected {EXPECTED_SUITE}", file=sys.stderr)
        return 1
    cases = document.get("cases")
    if not isinstance(cases, list) or not cases:
        print("no cases to open", file=sys.stderr)
        return 1
    suite = CipherSuite.new(KEMId.DHKEM_X25519_HKDF_SHA256, KDFId.HKDF_SHA256, AEADId.AES256_GCM)
    opened = 0
    for index, case in enumerate(cases):
        try:
            open_case(suite, case)
            opened += 1
        except Exception as error:
            print(f"case {index}: {error}", file=sys.stderr)
    print(f"opened {opened} of {len(cases)}")
    return 0 if opened == len(cases) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
