#!/usr/bin/env python3
"""Write the independent test vectors that ClaveCryptoTests checks the Swift code against.

The answers come from the Python Ethereum libraries (eth-hash, eth-utils, eth-keys,
eth-account, eth-keyfile) and pyhpke, and each file is also cross-checked against a
small from-the-spec implementation in this script (EIP-55, EIP-191, EIP-712, the v3
keystore and RFC 9180 HPKE), so a quirk in one library cannot slip into the fixtures
unnoticed.

Everything is deterministic: each fixture has its own fixed seed for random.Random,
and the places where a library draws randomness (the keystore salt, IV and id, the
HPKE ephemeral key) are fed from that generator. Running the script twice writes
byte-identical files.

Usage:
    python3 Scripts/vectors/generate.py            # write Tests/ClaveCryptoTests/Fixtures/*.json
    python3 Scripts/vectors/generate.py --out DIR  # write into DIR instead
    python3 Scripts/vectors/generate.py --check    # compare with the committed fixtures
"""

from __future__ import annotations

import argparse
import contextlib
import filecmp
import hashlib
import hmac
import json
import os
import random
import secrets
import sys
import tempfile
import types as pytypes
import unicodedata
import uuid
from pathlib import Path
from typing import Any, Callable

import eth_keyfile.keyfile
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct, encode_typed_data
from eth_utils import keccak as _eth_keccak
from eth_utils import to_checksum_address
from pyhpke import AEADId, CipherSuite, KDFId, KEMId, KEMKeyPair

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES_DIR = REPO_ROOT / "Tests" / "ClaveCryptoTests" / "Fixtures"

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
ZERO_ADDRESS = "0x" + "00" * 20
UINT64_MAX = 2**64 - 1
JSON_SAFE_INT = 2**53


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def hx(data: bytes) -> str:
    """Lowercase 0x-prefixed hex."""
    return "0x" + bytes(data).hex()


def unhex(text: str) -> bytes:
    if not text.startswith("0x"):
        raise ValueError(f"expected 0x-prefixed hex, got {text!r}")
    return bytes.fromhex(text[2:])


def keccak(data: bytes) -> bytes:
    return bytes(_eth_keccak(data))


def check(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(what)


def random_private_key(rng: random.Random) -> bytes:
    while True:
        key = rng.randbytes(32)
        if 1 <= int.from_bytes(key, "big") < SECP256K1_N:
            return key


def random_address(rng: random.Random) -> str:
    return to_checksum_address(rng.randbytes(20))


def json_int(value: int) -> int | str:
    """A JSON number when it is exactly representable as a double, else a decimal string."""
    return value if abs(value) < JSON_SAFE_INT else str(value)


@contextlib.contextmanager
def no_unseeded_randomness():
    """Make any draw from the OS random source fail loudly while fixtures are generated."""

    def refuse(*_args: Any, **_kwargs: Any) -> bytes:
        raise RuntimeError("a library drew OS randomness; feed it from the seeded generator instead")

    saved = (os.urandom, secrets.token_bytes)
    os.urandom = refuse  # type: ignore[assignment]
    secrets.token_bytes = refuse  # type: ignore[assignment]
    try:
        yield
    finally:
        os.urandom, secrets.token_bytes = saved


@contextlib.contextmanager
def seeded_keyfile_randomness(rng: random.Random):
    """eth-keyfile takes its salt and IV from Crypto.Random and its id from uuid4."""
    module = eth_keyfile.keyfile
    saved = (module.Random, module.uuid4)
    module.Random = pytypes.SimpleNamespace(get_random_bytes=lambda n: rng.randbytes(n))
    module.uuid4 = lambda: uuid.UUID(bytes=rng.randbytes(16), version=4)
    try:
        yield
    finally:
        module.Random, module.uuid4 = saved


# ---------------------------------------------------------------------------
# From-the-spec cross-checks
# ---------------------------------------------------------------------------


def spec_checksum_address(raw: bytes) -> str:
    """EIP-55: uppercase a hex letter when the matching nibble of keccak(lowercase hex) is >= 8."""
    lower = raw.hex()
    digest = keccak(lower.encode("ascii")).hex()
    return "0x" + "".join(c.upper() if int(digest[i], 16) >= 8 else c for i, c in enumerate(lower))


def spec_personal_digest(message: bytes) -> bytes:
    return keccak(b"\x19Ethereum Signed Message:\n" + str(len(message)).encode("ascii") + message)


def _core_type(type_name: str) -> str:
    return type_name[: type_name.index("[")] if "[" in type_name else type_name


def _collect_dependencies(type_name: str, types: dict, found: set[str]) -> None:
    core = _core_type(type_name)
    if core in found or core not in types:
        return
    found.add(core)
    for field in types[core]:
        _collect_dependencies(field["type"], types, found)


def spec_encode_type(primary: str, types: dict) -> str:
    found: set[str] = set()
    _collect_dependencies(primary, types, found)
    found.discard(primary)
    parts = []
    for name in [primary] + sorted(found):
        fields = ",".join(f"{field['type']} {field['name']}" for field in types[name])
        parts.append(f"{name}({fields})")
    return "".join(parts)


def _spec_int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError("bool where an integer was expected")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value, 10)
    raise TypeError(f"not an integer: {value!r}")


def _spec_encode_value(type_name: str, value: Any, types: dict) -> bytes:
    if type_name.endswith("]"):
        inner = type_name[: type_name.rindex("[")]
        length = type_name[type_name.rindex("[") + 1 : -1]
        check(isinstance(value, list), f"{type_name} needs a list")
        if length:
            check(len(value) == int(length), f"{type_name} needs {length} items")
        return keccak(b"".join(_spec_encode_value(inner, item, types) for item in value))
    if type_name in types:
        return keccak(spec_encode_data(type_name, value, types))
    if type_name == "string":
        return keccak(value.encode("utf-8"))
    if type_name == "bytes":
        return keccak(unhex(value))
    if type_name.startswith("bytes"):
        data = unhex(value)
        check(len(data) == int(type_name[5:]), f"{type_name} needs {type_name[5:]} bytes")
        return data.ljust(32, b"\x00")
    if type_name == "address":
        data = unhex(value)
        check(len(data) == 20 and value == to_checksum_address(data), f"bad address {value}")
        return data.rjust(32, b"\x00")
    if type_name == "bool":
        check(isinstance(value, bool), "bool needs true/false")
        return int(value).to_bytes(32, "big")
    if type_name.startswith("uint"):
        bits = int(type_name[4:] or "256")
        number = _spec_int(value)
        check(0 <= number < 2**bits, f"{number} out of range for {type_name}")
        return number.to_bytes(32, "big")
    if type_name.startswith("int"):
        bits = int(type_name[3:] or "256")
        number = _spec_int(value)
        check(-(2 ** (bits - 1)) <= number < 2 ** (bits - 1), f"{number} out of range for {type_name}")
        return (number % 2**256).to_bytes(32, "big")
    raise ValueError(f"unknown type {type_name}")


def spec_encode_data(type_name: str, data: dict, types: dict) -> bytes:
    check(set(data) == {field["name"] for field in types[type_name]}, f"fields of {type_name} do not match")
    out = keccak(spec_encode_type(type_name, types).encode("utf-8"))
    for field in types[type_name]:
        out += _spec_encode_value(field["type"], data[field["name"]], types)
    return out


def spec_typed_data_hashes(typed_data: dict) -> tuple[bytes, bytes, bytes]:
    types = typed_data["types"]
    domain_separator = keccak(spec_encode_data("EIP712Domain", typed_data["domain"], types))
    struct_hash = keccak(spec_encode_data(typed_data["primaryType"], typed_data["message"], types))
    return domain_separator, struct_hash, keccak(b"\x19\x01" + domain_separator + struct_hash)


def spec_keystore_private_key(keystore: dict, password: str) -> bytes:
    crypto = keystore["crypto"]
    params = crypto["kdfparams"]
    secret = password.encode("utf-8")
    salt = bytes.fromhex(params["salt"])
    if crypto["kdf"] == "scrypt":
        derived = hashlib.scrypt(
            secret, salt=salt, n=params["n"], r=params["r"], p=params["p"], dklen=params["dklen"], maxmem=2**26
        )
    else:
        check(params["prf"] == "hmac-sha256", "pbkdf2 prf")
        derived = hashlib.pbkdf2_hmac("sha256", secret, salt, params["c"], params["dklen"])
    ciphertext = bytes.fromhex(crypto["ciphertext"])
    check(keccak(derived[16:32] + ciphertext).hex() == crypto["mac"], "keystore mac")
    check(crypto["cipher"] == "aes-128-ctr", "keystore cipher")
    iv = bytes.fromhex(crypto["cipherparams"]["iv"])
    decryptor = Cipher(algorithms.AES(derived[:16]), modes.CTR(iv)).decryptor()
    return decryptor.update(ciphertext) + decryptor.finalize()


# RFC 9180, base mode, DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM.
HPKE_KEM_ID, HPKE_KDF_ID, HPKE_AEAD_ID = 0x0020, 0x0001, 0x0002


def _labeled_extract(suite_id: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    return hmac.new(salt or b"\x00" * 32, b"HPKE-v1" + suite_id + label + ikm, hashlib.sha256).digest()


def _labeled_expand(suite_id: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    labeled_info = length.to_bytes(2, "big") + b"HPKE-v1" + suite_id + label + info
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + labeled_info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def spec_hpke_seal(sk_e: bytes, pk_r: bytes, info: bytes, aad: bytes, plaintext: bytes) -> tuple[bytes, bytes]:
    kem_suite = b"KEM" + HPKE_KEM_ID.to_bytes(2, "big")
    suite = b"HPKE" + HPKE_KEM_ID.to_bytes(2, "big") + HPKE_KDF_ID.to_bytes(2, "big") + HPKE_AEAD_ID.to_bytes(2, "big")
    ephemeral = X25519PrivateKey.from_private_bytes(sk_e)
    enc = ephemeral.public_key().public_bytes_raw()
    dh = ephemeral.exchange(X25519PublicKey.from_public_bytes(pk_r))
    eae_prk = _labeled_extract(kem_suite, b"", b"eae_prk", dh)
    shared_secret = _labeled_expand(kem_suite, eae_prk, b"shared_secret", enc + pk_r, 32)
    context = (
        b"\x00"
        + _labeled_extract(suite, b"", b"psk_id_hash", b"")
        + _labeled_extract(suite, b"", b"info_hash", info)
    )
    secret = _labeled_extract(suite, shared_secret, b"secret", b"")
    key = _labeled_expand(suite, secret, b"key", context, 32)
    base_nonce = _labeled_expand(suite, secret, b"base_nonce", context, 12)
    return enc, AESGCM(key).encrypt(base_nonce, plaintext, aad)  # sequence number 0


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


def gen_keccak() -> list:
    rng = random.Random(0x4B454343)
    lengths = [0, 1, 2, 31, 32, 33, 55, 56, 64, 127, 128, 135, 136, 137, 200, 271, 272, 273, 408, 1000]
    lengths += sorted(rng.randrange(0, 5001) for _ in range(10))
    cases = []
    for length in lengths:
        data = rng.randbytes(length)
        cases.append({"input": hx(data), "hash": hx(keccak(data))})
    return cases


def gen_eip55() -> list:
    rng = random.Random(0x45495035)
    cases = []
    for _ in range(50):
        raw = rng.randbytes(20)
        checksummed = to_checksum_address(raw)
        check(checksummed == spec_checksum_address(raw), "EIP-55 cross-check")
        cases.append({"lower": hx(raw), "checksummed": checksummed})
    return cases


def gen_keys() -> list:
    rng = random.Random(0x4B455953)
    # The smallest and largest valid keys, then random ones.
    secrets_list = [(1).to_bytes(32, "big"), (SECP256K1_N - 1).to_bytes(32, "big")]
    secrets_list += [random_private_key(rng) for _ in range(28)]
    cases = []
    for key in secrets_list:
        account = Account.from_key(key)
        public = bytes(account._key_obj.public_key.to_bytes())
        check(len(public) == 64, "public key length")
        check(account.address == to_checksum_address(keccak(public)[-20:]), "address from public key")
        cases.append({"privateKey": hx(key), "publicKey": hx(public), "address": account.address})
    return cases


def _check_signature(signature: bytes) -> None:
    check(len(signature) == 65, "signature length")
    check(signature[64] in (27, 28), "v is 27 or 28")
    check(int.from_bytes(signature[32:64], "big") <= SECP256K1_N // 2, "low s")


def gen_personal_sign() -> list:
    rng = random.Random(0x50455253)
    texts = [
        "",
        "hello",
        "Hello, Clave!",
        "héllo ✓ 日本 🚀",
        '{"iexec_args":"hello world","iexec_result_encryption":true}',
        "line one\nline two\n",
        "Sign in to iExec\nNonce: 42",
        "0x1234",  # text that looks like hex is still signed as its UTF-8 bytes
        "x" * 100,
        "ü" * 150,  # 300 bytes of UTF-8
    ]
    messages = [text.encode("utf-8") for text in texts]
    # Binary messages, including the lengths where the decimal length prefix gains a digit.
    for length in [1, 9, 10, 31, 32, 33, 64, 99, 100, 135, 136, 255, 256, 299, 300]:
        messages.append(rng.randbytes(length))
    while len(messages) < 30:
        messages.append(rng.randbytes(rng.randrange(0, 301)))
    cases = []
    for message in messages:
        key = random_private_key(rng)
        account = Account.from_key(key)
        signable = encode_defunct(primitive=message)
        digest = spec_personal_digest(message)
        check(bytes(_hash_eip191_message(signable)) == digest, "EIP-191 digest cross-check")
        signed = Account.sign_message(signable, key)
        check(bytes(signed.message_hash) == digest, "signed digest")
        signature = bytes(signed.signature)
        _check_signature(signature)
        check(Account.recover_message(signable, signature=signature) == account.address, "recover")
        cases.append(
            {
                "privateKey": hx(key),
                "message": hx(message),
                "digest": hx(digest),
                "signature": hx(signature),
                "address": account.address,
            }
        )
    return cases


def gen_digest_signatures() -> list:
    rng = random.Random(0x44494753)
    digests = [b"\x00" * 32, b"\xff" * 32, (1).to_bytes(32, "big")]
    digests += [rng.randbytes(32) for _ in range(27)]
    cases = []
    for digest in digests:
        key = random_private_key(rng)
        signed = Account.unsafe_sign_hash(digest, key)
        signature = bytes(signed.signature)
        _check_signature(signature)
        check(Account._recover_hash(digest, signature=signature) == Account.from_key(key).address, "recover")
        cases.append({"privateKey": hx(key), "digest": hx(digest), "signature": hx(signature)})
    return cases


EIP712_DOMAIN_FIELDS = {
    "name": "string",
    "version": "string",
    "chainId": "uint256",
    "verifyingContract": "address",
    "salt": "bytes32",
}


def domain_type(domain: dict) -> list:
    # eth-account always hashes the domain fields in this canonical order.
    return [{"name": name, "type": type_name} for name, type_name in EIP712_DOMAIN_FIELDS.items() if name in domain]


def sign_typed_data(typed_data: dict, key: bytes) -> dict:
    """Hash and sign with eth-account, cross-check with the spec encoder, return the hashes."""
    signable = encode_typed_data(full_message=typed_data)
    domain_separator, struct_hash = bytes(signable.header), bytes(signable.body)
    digest = keccak(b"\x19\x01" + domain_separator + struct_hash)
    check(bytes(_hash_eip191_message(signable)) == digest, "EIP-712 digest")
    check(spec_typed_data_hashes(typed_data) == (domain_separator, struct_hash, digest), "EIP-712 cross-check")
    signed = Account.sign_message(signable, key)
    check(bytes(signed.message_hash) == digest, "eth-account signed a different digest")
    signature = bytes(signed.signature)
    _check_signature(signature)
    signer = Account.from_key(key).address
    check(Account.recover_message(signable, signature=signature) == signer, "recover")
    check(Account._recover_hash(digest, signature=signature) == signer, "recover from digest")
    return {
        "domainSeparator": hx(domain_separator),
        "structHash": hx(struct_hash),
        "digest": hx(digest),
        "privateKey": hx(key),
        "signature": hx(signature),
        "signer": signer,
    }


IEXEC_ORDER_TYPES = {
    "AppOrder": [
        ("app", "address"),
        ("appprice", "uint256"),
        ("volume", "uint256"),
        ("tag", "bytes32"),
        ("datasetrestrict", "address"),
        ("workerpoolrestrict", "address"),
        ("requesterrestrict", "address"),
        ("salt", "bytes32"),
    ],
    "DatasetOrder": [
        ("dataset", "address"),
        ("datasetprice", "uint256"),
        ("volume", "uint256"),
        ("tag", "bytes32"),
        ("apprestrict", "address"),
        ("workerpoolrestrict", "address"),
        ("requesterrestrict", "address"),
        ("salt", "bytes32"),
    ],
    "WorkerpoolOrder": [
        ("workerpool", "address"),
        ("workerpoolprice", "uint256"),
        ("volume", "uint256"),
        ("tag", "bytes32"),
        ("category", "uint256"),
        ("trust", "uint256"),
        ("apprestrict", "address"),
        ("datasetrestrict", "address"),
        ("requesterrestrict", "address"),
        ("salt", "bytes32"),
    ],
    "RequestOrder": [
        ("app", "address"),
        ("appmaxprice", "uint256"),
        ("dataset", "address"),
        ("datasetmaxprice", "uint256"),
        ("workerpool", "address"),
        ("workerpoolmaxprice", "uint256"),
        ("requester", "address"),
        ("volume", "uint256"),
        ("tag", "bytes32"),
        ("category", "uint256"),
        ("trust", "uint256"),
        ("beneficiary", "address"),
        ("callback", "address"),
        ("params", "string"),
        ("salt", "bytes32"),
    ],
}

ORDER_PARAMS = [
    "",
    '{"iexec_args":"hello world","iexec_result_encryption":true}',
    "héllo ✓ 日本",
    '{"iexec_args":"--input \\"a b\\"","iexec_input_files":["https://example.com/in.txt"]}',
    "plain text params",
]


def _order_value(rng: random.Random, order_type: str, name: str, type_name: str, index: int) -> Any:
    if type_name == "uint256":
        kind = rng.randrange(5)
        if kind == 0:
            return "0"
        if kind == 1:
            return str(rng.randrange(1, 1000))
        if kind == 2:
            return str(UINT64_MAX - rng.randrange(0, 3))
        if kind == 3:
            return str(rng.randrange(2**53, 2**64))
        return str(rng.randrange(0, 2**32))
    if type_name == "bytes32":
        if name == "tag":
            return [hx(b"\x00" * 32), hx(b"\x00" * 31 + b"\x01"), hx(b"\x00" * 31 + b"\x03"), hx(rng.randbytes(32))][
                index % 4
            ]
        return hx(rng.randbytes(32))
    if type_name == "address":
        # The order's own resource is always set; restrictions and optional addresses are often zero.
        optional = name.endswith("restrict") or name in ("dataset", "callback", "beneficiary")
        if optional and rng.random() < 0.5:
            return to_checksum_address(ZERO_ADDRESS)
        return random_address(rng)
    if type_name == "string":
        return ORDER_PARAMS[index % len(ORDER_PARAMS)]
    raise ValueError(type_name)


def gen_eip712_orders() -> dict:
    rng = random.Random(0x4F524452)
    chain_id = "134"
    verifying_contract = random_address(rng)
    domain = {"name": "iExecODB", "version": "5.0.0", "chainId": chain_id, "verifyingContract": verifying_contract}
    orders = []
    for order_type, fields in IEXEC_ORDER_TYPES.items():
        for index in range(10):
            message = {name: _order_value(rng, order_type, name, type_name, index) for name, type_name in fields}
            typed_data = {
                "types": {
                    "EIP712Domain": domain_type(domain),
                    order_type: [{"name": name, "type": type_name} for name, type_name in fields],
                },
                "primaryType": order_type,
                "domain": domain,
                "message": message,
            }
            key = random_private_key(rng)
            entry = {"type": order_type, "message": message}
            entry.update(sign_typed_data(typed_data, key))
            orders.append(entry)
    return {"chainId": chain_id, "verifyingContract": verifying_contract, "orders": orders}


def _fields(*pairs: tuple[str, str]) -> list:
    return [{"name": name, "type": type_name} for name, type_name in pairs]


def general_typed_data_cases(rng: random.Random) -> list[dict]:
    def addr() -> str:
        return random_address(rng)

    def b(n: int) -> str:
        return hx(rng.randbytes(n))

    full_domain = {"name": "Clave Test", "version": "1", "chainId": 1, "verifyingContract": addr()}
    cases: list[dict] = []

    def add(domain: dict, primary: str, types: dict, message: dict) -> None:
        all_types = {"EIP712Domain": domain_type(domain)}
        all_types.update(types)
        cases.append({"types": all_types, "primaryType": primary, "domain": domain, "message": message})

    # 1. The classic mail: a struct used twice, unicode text.
    add(
        full_domain,
        "Mail",
        {
            "Person": _fields(("name", "string"), ("wallet", "address")),
            "Mail": _fields(("from", "Person"), ("to", "Person"), ("contents", "string")),
        },
        {
            "from": {"name": "Cow", "wallet": addr()},
            "to": {"name": "Bøb ✓", "wallet": addr()},
            "contents": "Hello, Bob! 日本語",
        },
    )
    # 2. Referenced types listed out of order: encodeType must sort them (Alpha, Beta, Gamma),
    #    including a type only reachable through another one.
    add(
        full_domain,
        "Zeta",
        {
            "Gamma": _fields(("g", "uint256")),
            "Beta": _fields(("gamma", "Gamma"), ("note", "string")),
            "Alpha": _fields(("flag", "bool"), ("who", "address")),
            "Zeta": _fields(("beta", "Beta"), ("alpha", "Alpha"), ("id", "uint64")),
        },
        {
            "beta": {"gamma": {"g": json_int(rng.getrandbits(256))}, "note": "nested"},
            "alpha": {"flag": True, "who": addr()},
            "id": json_int(rng.getrandbits(64)),
        },
    )
    # 3. A diamond: Left and Right both reference Leaf, which must appear once.
    add(
        full_domain,
        "Root",
        {
            "Leaf": _fields(("value", "uint256"), ("data", "bytes")),
            "Left": _fields(("leaf", "Leaf"), ("tag", "bytes32")),
            "Right": _fields(("leaves", "Leaf[]")),
            "Root": _fields(("left", "Left"), ("right", "Right")),
        },
        {
            "left": {"leaf": {"value": 7, "data": b(5)}, "tag": b(32)},
            "right": {"leaves": [{"value": 1, "data": "0x"}, {"value": json_int(2**200), "data": b(40)}]},
        },
    )
    # 4. Arrays of structs, with addresses arrays inside.
    add(
        full_domain,
        "Group",
        {
            "Member": _fields(("name", "string"), ("wallets", "address[]"), ("weight", "uint16")),
            "Group": _fields(("title", "string"), ("members", "Member[]"), ("admins", "Member[2]")),
        },
        {
            "title": "Workers",
            "members": [
                {"name": "a", "wallets": [addr(), addr()], "weight": 1},
                {"name": "b", "wallets": [], "weight": 65535},
                {"name": "ç", "wallets": [addr()], "weight": 300},
            ],
            "admins": [
                {"name": "root", "wallets": [addr()], "weight": 0},
                {"name": "", "wallets": [], "weight": 2},
            ],
        },
    )
    # 5. Dynamic arrays of atomic types.
    add(
        full_domain,
        "Lists",
        {
            "Lists": _fields(
                ("numbers", "uint256[]"),
                ("addresses", "address[]"),
                ("strings", "string[]"),
                ("blobs", "bytes[]"),
                ("flags", "bool[]"),
                ("words", "bytes32[]"),
            )
        },
        {
            "numbers": [0, 1, json_int(2**256 - 1), json_int(rng.getrandbits(128)), 42],
            "addresses": [addr(), to_checksum_address(ZERO_ADDRESS), addr()],
            "strings": ["", "one", "двa ✓", "🚀"],
            "blobs": ["0x", b(1), b(33), b(100)],
            "flags": [True, False, True],
            "words": [b(32), b(32)],
        },
    )
    # 6. Fixed-size arrays.
    add(
        full_domain,
        "Fixed",
        {
            "Fixed": _fields(
                ("rgb", "uint8[3]"),
                ("pair", "address[2]"),
                ("hashes", "bytes32[2]"),
                ("names", "string[2]"),
                ("signed", "int16[4]"),
            )
        },
        {
            "rgb": [255, 0, 128],
            "pair": [addr(), addr()],
            "hashes": [b(32), hx(b"\x00" * 32)],
            "names": ["left", "right ✓"],
            "signed": [-32768, -1, 0, 32767],
        },
    )
    # 7. bytes and bytesN.
    add(
        full_domain,
        "Blobs",
        {
            "Blobs": _fields(
                ("empty", "bytes"),
                ("short", "bytes"),
                ("long", "bytes"),
                ("one", "bytes1"),
                ("selector", "bytes4"),
                ("sixteen", "bytes16"),
                ("word", "bytes32"),
            )
        },
        {
            "empty": "0x",
            "short": b(3),
            "long": b(300),
            "one": "0xff",
            "selector": "0xa9059cbb",
            "sixteen": b(16),
            "word": b(32),
        },
    )
    # 8. Signed integers, including the extremes.
    add(
        full_domain,
        "Signed",
        {
            "Signed": _fields(
                ("i8min", "int8"),
                ("i8neg", "int8"),
                ("i8max", "int8"),
                ("i32", "int32"),
                ("i64", "int64"),
                ("i128", "int128"),
                ("i256min", "int256"),
                ("i256neg", "int256"),
                ("i256max", "int256"),
                ("i256small", "int256"),
            )
        },
        {
            "i8min": -128,
            "i8neg": -1,
            "i8max": 127,
            "i32": -123456789,
            "i64": json_int(-(2**63)),
            "i128": json_int(-rng.getrandbits(126)),
            "i256min": json_int(-(2**255)),
            "i256neg": json_int(-rng.getrandbits(200)),
            "i256max": json_int(2**255 - 1),
            "i256small": -2,
        },
    )
    # 9. Unsigned integers of different widths, including their maxima.
    add(
        full_domain,
        "Unsigned",
        {
            "Unsigned": _fields(
                ("u8", "uint8"),
                ("u16", "uint16"),
                ("u24", "uint24"),
                ("u32", "uint32"),
                ("u48", "uint48"),
                ("u64", "uint64"),
                ("u128", "uint128"),
                ("u160", "uint160"),
                ("u256", "uint256"),
                ("zero", "uint256"),
                ("exact53", "uint256"),
            )
        },
        {
            "u8": 255,
            "u16": 65535,
            "u24": 2**24 - 1,
            "u32": 4294967295,
            "u48": 2**48 - 1,
            "u64": json_int(2**64 - 1),
            "u128": json_int(2**128 - 1),
            "u160": json_int(rng.getrandbits(160)),
            "u256": json_int(2**256 - 1),
            "zero": 0,
            "exact53": json_int(2**53),
        },
    )
    # 10. Booleans and unicode strings.
    add(
        full_domain,
        "Text",
        {
            "Text": _fields(
                ("yes", "bool"),
                ("no", "bool"),
                ("empty", "string"),
                ("ascii", "string"),
                ("unicode", "string"),
                ("escapes", "string"),
            )
        },
        {
            "yes": True,
            "no": False,
            "empty": "",
            "ascii": "The quick brown fox",
            "unicode": "héllo ✓ 日本 🚀 Ωμέγα",
            "escapes": 'quote " backslash \\ newline \n tab \t',
        },
    )
    # 11. Empty arrays of every kind.
    add(
        full_domain,
        "Empties",
        {
            "Item": _fields(("id", "uint256")),
            "Empties": _fields(
                ("numbers", "uint256[]"),
                ("items", "Item[]"),
                ("strings", "string[]"),
                ("blobs", "bytes[]"),
                ("note", "string"),
            ),
        },
        {"numbers": [], "items": [], "strings": [], "blobs": [], "note": "all empty"},
    )
    # 12. A domain with only name and chainId.
    add(
        {"name": "Minimal", "chainId": 134},
        "Ping",
        {"Ping": _fields(("nonce", "uint256"), ("from", "address"))},
        {"nonce": 1, "from": addr()},
    )
    # 13. A domain with every field, salt included, and a large chain id.
    add(
        {
            "name": "Salted",
            "version": "2.1",
            "chainId": json_int(2**60 + 5),
            "verifyingContract": addr(),
            "salt": b(32),
        },
        "Ping",
        {"Ping": _fields(("nonce", "uint256"), ("from", "address"))},
        {"nonce": json_int(rng.getrandbits(255)), "from": addr()},
    )
    # 14. A domain with only chainId and verifyingContract.
    add(
        {"chainId": 11155111, "verifyingContract": addr()},
        "Ping",
        {"Ping": _fields(("nonce", "uint256"), ("from", "address"))},
        {"nonce": 0, "from": to_checksum_address(ZERO_ADDRESS)},
    )
    # 15. A self-referencing type through an array (a tree), which must not list itself twice.
    add(
        full_domain,
        "Node",
        {"Node": _fields(("label", "string"), ("children", "Node[]"))},
        {
            "label": "root",
            "children": [
                {"label": "a", "children": []},
                {"label": "b", "children": [{"label": "b1", "children": []}]},
            ],
        },
    )
    # 16. Everything at once: struct arrays, fixed arrays of structs, mixed atomic fields.
    add(
        {"name": "iExecODB", "version": "5.0.0", "chainId": 134, "verifyingContract": addr()},
        "Bundle",
        {
            "Asset": _fields(("kind", "uint8"), ("owner", "address"), ("checksum", "bytes32")),
            "Price": _fields(("amount", "uint256"), ("decimals", "uint8")),
            "Bundle": _fields(
                ("assets", "Asset[]"),
                ("prices", "Price[2]"),
                ("delta", "int64"),
                ("memo", "bytes"),
                ("enabled", "bool"),
            ),
        },
        {
            "assets": [{"kind": i, "owner": addr(), "checksum": b(32)} for i in range(3)],
            "prices": [{"amount": json_int(10**18), "decimals": 18}, {"amount": 0, "decimals": 0}],
            "delta": -9,
            "memo": b(12),
            "enabled": True,
        },
    )
    return cases


def gen_eip712_general() -> list:
    rng = random.Random(0x47454E4C)
    cases = []
    for typed_data in general_typed_data_cases(rng):
        hashes = sign_typed_data(typed_data, random_private_key(rng))
        del hashes["signer"]
        cases.append({"typedData": typed_data, **hashes})
    return cases


def gen_keystore() -> list:
    rng = random.Random(0x4B535452)
    settings = [
        ("scrypt", 2**10, ""),
        ("scrypt", 2**10, "pässwörd ✓"),
        ("scrypt", 2**12, "correct horse battery staple"),
        ("pbkdf2", 1000, ""),
        ("pbkdf2", 1000, "pässwörd ✓"),
    ]
    cases = []
    with seeded_keyfile_randomness(rng):
        for kdf, iterations, password in settings:
            check(unicodedata.is_normalized("NFC", password), "passwords are NFC")
            key = random_private_key(rng)
            keystore = Account.encrypt(key, password, kdf=kdf, iterations=iterations)
            check(bytes(Account.decrypt(keystore, password)) == key, "eth-account decrypts")
            check(spec_keystore_private_key(keystore, password) == key, "keystore cross-check")
            address = Account.from_key(key).address
            check(keystore["address"].lower() == address[2:].lower(), "keystore address")
            cases.append({"password": password, "privateKey": hx(key), "address": address, "keystore": keystore})
    return cases


HPKE_SUITE = CipherSuite.new(KEMId.DHKEM_X25519_HKDF_SHA256, KDFId.HKDF_SHA256, AEADId.AES256_GCM)


def gen_hpke() -> dict:
    rng = random.Random(0x48504B45)
    shapes = [
        # (plaintext length, info length, aad length)
        (0, 0, 0),
        (1, 0, 0),
        (15, 7, 0),
        (16, 0, 13),
        (17, 32, 32),
        (32, 1, 1),
        (100, 64, 0),
        (255, 0, 200),
        (1000, 16, 16),
        (2000, 100, 50),
    ]
    kem = HPKE_SUITE.kem
    cases = []
    for pt_len, info_len, aad_len in shapes:
        sk_r_bytes, sk_e_bytes = rng.randbytes(32), rng.randbytes(32)
        sk_r = kem.deserialize_private_key(sk_r_bytes)
        pk_r_bytes = X25519PrivateKey.from_private_bytes(sk_r_bytes).public_key().public_bytes_raw()
        pk_r = kem.deserialize_public_key(pk_r_bytes)
        sk_e = kem.deserialize_private_key(sk_e_bytes)
        pk_e = kem.deserialize_public_key(
            X25519PrivateKey.from_private_bytes(sk_e_bytes).public_key().public_bytes_raw()
        )
        info, aad, plaintext = rng.randbytes(info_len), rng.randbytes(aad_len), rng.randbytes(pt_len)
        if pt_len == 100:
            info = b"iexec-clave-test"  # readable info and plaintext for one case
            plaintext = ("héllo ✓ " * 20).encode("utf-8")[:100]
        enc, sender = HPKE_SUITE.create_sender_context(pk_r, info, eks=KEMKeyPair(sk_e, pk_e))
        ciphertext = sender.seal(plaintext, aad)
        check(len(enc) == 32 and len(ciphertext) == len(plaintext) + 16, "HPKE sizes")
        check(spec_hpke_seal(sk_e_bytes, pk_r_bytes, info, aad, plaintext) == (enc, ciphertext), "HPKE cross-check")
        recipient = HPKE_SUITE.create_recipient_context(enc, sk_r, info)
        check(recipient.open(ciphertext, aad) == plaintext, "HPKE opens")
        cases.append(
            {
                "skR": hx(sk_r_bytes),
                "pkR": hx(pk_r_bytes),
                "info": hx(info),
                "aad": hx(aad),
                "plaintext": hx(plaintext),
                "enc": hx(enc),
                "ciphertext": hx(ciphertext),
            }
        )
    return {"suite": {"kem": HPKE_KEM_ID, "kdf": HPKE_KDF_ID, "aead": HPKE_AEAD_ID}, "cases": cases}


GENERATORS: dict[str, Callable[[], Any]] = {
    "keccak.json": gen_keccak,
    "eip55.json": gen_eip55,
    "keys.json": gen_keys,
    "personal_sign.json": gen_personal_sign,
    "digest_signatures.json": gen_digest_signatures,
    "eip712_orders.json": gen_eip712_orders,
    "eip712_general.json": gen_eip712_general,
    "keystore.json": gen_keystore,
    "hpke.json": gen_hpke,
}


def write_all(out_dir: Path, quiet: bool = False) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, generate in GENERATORS.items():
        with no_unseeded_randomness():
            data = generate()
        with open(out_dir / name, "w", encoding="utf-8", newline="\n") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
        if not quiet:
            count = len(data) if isinstance(data, list) else len(data.get("cases", data.get("orders", [])))
            print(f"wrote {out_dir / name} ({count} cases)")


def check_fixtures(fixtures_dir: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        write_all(Path(tmp), quiet=True)
        stale = []
        for name in GENERATORS:
            committed = fixtures_dir / name
            if not committed.exists():
                stale.append(f"{committed}: missing")
            elif not filecmp.cmp(Path(tmp) / name, committed, shallow=False):
                stale.append(f"{committed}: differs from a fresh generation")
    if stale:
        for line in stale:
            print(line, file=sys.stderr)
        print("fixtures out of date: run python3 Scripts/vectors/generate.py", file=sys.stderr)
        return 1
    print("fixtures up to date")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=FIXTURES_DIR, help="directory to write (default: %(default)s)")
    parser.add_argument(
        "--check", action="store_true", help="generate into a temporary directory and compare with --out's files"
    )
    args = parser.parse_args()
    if args.check:
        return check_fixtures(args.out)
    write_all(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
