#!/usr/bin/env python3
"""Write the independent test vectors that ClaveCryptoTests (and ClaveStorageTests) check the Swift code against.

The answers come from the Python Ethereum libraries (eth-hash, eth-utils, eth-keys,
eth-account, eth-keyfile, eth-abi), pyhpke, rfc8785 and py-cid, and each file is also
cross-checked against a small from-the-spec implementation in this script (EIP-55,
EIP-191, EIP-712, the v3 keystore, RFC 9180 HPKE, RFC 8785 JSON canonicalization and
its ECMAScript number formatting, CIDv1 of raw blocks), so a quirk in one library cannot slip into the
fixtures unnoticed.

Everything is deterministic: each fixture has its own fixed seed for random.Random,
and the places where a library draws randomness (the keystore salt, IV and id, the
HPKE ephemeral key) are fed from that generator. Running the script twice writes
byte-identical files.

Usage:
    python3 Scripts/vectors/generate.py            # write Tests/ClaveCryptoTests/Fixtures/*.json and
                                                   # Tests/ClaveStorageTests/Fixtures/cid.json
    python3 Scripts/vectors/generate.py --out DIR  # write every file into DIR instead
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
import struct
import sys
import tempfile
import types as pytypes
import unicodedata
import uuid
from pathlib import Path
from typing import Any, Callable

import eth_keyfile.keyfile
import rfc8785
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct, encode_typed_data
from eth_utils import keccak as _eth_keccak
from eth_utils import to_checksum_address
from pyhpke import AEADId, CipherSuite, KDFId, KEMId, KEMKeyPair

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cids import gen_cids  # noqa: E402
from protected_data import gen_iexec_aes_cbc, gen_protected_data  # noqa: E402
from result_sealing import gen_result_sealing  # noqa: E402
from results import gen_results  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES_DIR = REPO_ROOT / "Tests" / "ClaveCryptoTests" / "Fixtures"
CORE_FIXTURES_DIR = REPO_ROOT / "Tests" / "ClaveCoreTests" / "Fixtures"
STORAGE_FIXTURES_DIR = REPO_ROOT / "Tests" / "ClaveStorageTests" / "Fixtures"

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


def spec_es_number(value: float) -> str:
    """ECMA-262 Number::toString (RFC 8785 section 3.2.2.3), built from the shortest round-trip digits of repr()."""
    check(value == value and abs(value) != float("inf"), "NaN and Infinity have no JSON form")
    if value == 0:
        return "0"  # both +0 and -0
    if value < 0:
        return "-" + spec_es_number(-value)
    mantissa, _, exponent = repr(value).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)
    significant = digits.lstrip("0")
    point -= len(digits) - len(significant)
    # value = 0.s × 10^n with s = k digits, no trailing zero: the ECMAScript s, k and n.
    s = significant.rstrip("0")
    k, n = len(s), point
    if k <= n <= 21:
        return s + "0" * (n - k)
    if 0 < n <= 21:
        return s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + s
    e = f"e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return s + e if k == 1 else s[0] + "." + s[1:] + e


def _spec_jcs_string(text: str) -> str:
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    out = []
    for char in text:
        if char in short:
            out.append(short[char])
        elif ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _spec_jcs_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        check(float(value) == value, f"{value} is not exactly a double")
        return spec_es_number(float(value))
    if isinstance(value, float):
        return spec_es_number(value)
    if isinstance(value, str):
        return _spec_jcs_string(value)
    if isinstance(value, list):
        return "[" + ",".join(_spec_jcs_text(item) for item in value) + "]"
    if isinstance(value, dict):
        # Members sorted by the UTF-16 code units of their names (big-endian bytes sort the same way).
        members = sorted(value.items(), key=lambda member: member[0].encode("utf-16-be"))
        return "{" + ",".join(_spec_jcs_string(k) + ":" + _spec_jcs_text(v) for k, v in members) + "}"
    raise TypeError(f"not a JSON value: {value!r}")


def spec_canonical_json(value: Any) -> bytes:
    """RFC 8785 (JCS): no whitespace, members sorted by UTF-16 code units, minimal string escapes, ES6 numbers."""
    return _spec_jcs_text(value).encode("utf-8")  # strict: a lone surrogate raises


def load_json_strictly(text: str) -> Any:
    """json.loads, with every number read as an IEEE-754 double (JCS's data model) and no duplicate names."""

    def no_duplicates(pairs: list) -> dict:
        names = [name for name, _ in pairs]
        check(len(names) == len(set(names)), f"duplicate member names in {names}")
        return dict(pairs)

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_int=float, parse_constant=no_constants, object_pairs_hook=no_duplicates)


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


# RFC 8785 section 3.2.2's example, written with extra whitespace, and the canonical form the RFC gives for it.
RFC8785_EXAMPLE = r"""{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}"""
RFC8785_EXAMPLE_CANONICAL = (
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
    '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
)

# RFC 8785 section 3.2.3's sorting example: by UTF-16 code units, U+1F600 (D83D DE00) sorts before U+FB33.
RFC8785_SORTING = r"""{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}"""
RFC8785_SORTED_NAMES = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]

# RFC 8785 appendix B: IEEE-754 bit patterns and their ECMAScript forms.
RFC8785_NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


def _double(bits: str) -> float:
    return struct.unpack(">d", bytes.fromhex(bits))[0]


def _random_number_text(rng: random.Random) -> str:
    """A finite double written the way some JSON writer might: plain, fraction, exponent, padded with zeros."""
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 20))).lstrip("0") or "0"
    exponent = rng.randint(-330, 310)
    sign = rng.choice(["", "", "-"])
    style = rng.randrange(4)
    if style == 0:
        text = f"{sign}{digits}e{exponent}"
    elif style == 1:
        text = f"{sign}{digits[0]}.{digits[1:] or '0'}{rng.choice('eE')}{rng.choice(['', '+']) if exponent >= 0 else ''}{exponent}"
    elif style == 2:
        point = rng.randint(1, len(digits))
        fraction = digits[point:] + "0" * rng.randint(0, 3)
        text = f"{sign}{digits[:point]}.{fraction or '0'}"
    else:
        text = f"{sign}0.{'0' * rng.randint(0, 8)}{digits}"
    value = float(text)
    return text if abs(value) != float("inf") else f"{sign}{digits[0]}"


def canonical_json_inputs(rng: random.Random) -> list[tuple[str, str]]:
    cases: list[tuple[str, str]] = [
        ("RFC 8785 section 3.2.2 example", RFC8785_EXAMPLE),
        ("RFC 8785 section 3.2.3 sorting example", RFC8785_SORTING),
        (
            "RFC 8785 appendix B numbers, as written by a Python writer",
            "[\n" + ",\n".join(f"  {_double(bits)!r}" for bits, _ in RFC8785_NUMBERS) + "\n]",
        ),
        (
            "RFC 8785 appendix B numbers, in other spellings",
            "[0.0, -0, 5E-324, -4.9406564584124654e-324, 1.7976931348623157E+308, -17976931348623157e292,"
            " 9007199254740992.0, -9.007199254740992e15, 295147905179352825856, 99999999999999997e6, 1.0e23,"
            " 100000000000000016777216, 999999999999999700000.0, 9.999999999999999e20, 1e21,"
            " 0.0000009999999999999997, 1E-6, 333333333.33333320, 3.3333333333333325e8, 333333333.33333329,"
            " 333333333.3333334, 333333333.33333343, -3.3333333333333333e-6, 1424953923781206.25]",
        ),
        ("1e21 is the first integer with an exponent", " 1e21 "),
        ("1e-7 is the first fraction with an exponent", " 1e-7"),
        ("0.000001 keeps its zeros", "1.0E-6"),
        ("0.1 is not exactly a tenth but prints as one", "0.10"),
        ("minus zero prints as 0", "-0"),
        ("minus zero with a fraction prints as 0", "-0.0e+5"),
        ("a 21-digit integer", "123456789012345678901"),
        ("rounding to 17 digits with trailing zeros", "[123456789012345680000, 123456789012345678901]"),
        ("the smallest subnormal", "5e-324\n"),
        ("the largest double", "1.7976931348623157e308"),
        ("a fraction", "4.50"),
        ("an integer written as an exponent", "1E2"),
        ("an integer", " 100 "),
        ("a negative small exponent", "-1.50E-10"),
        ("underflow to zero", "[1e-400, -1e-400]"),
        (
            "integers beyond 2^53 are rounded to the nearest double",
            "[9007199254740993, 18446744073709551615, 123456789012345678901234567890, -9223372036854775808]",
        ),
        (
            "long decimals are read correctly rounded",
            "[0.1000000000000000055511151231257827, 3.141592653589793238462643383279,"
            " 2.2250738585072011e-308, 2.2250738585072014e-308, 4.9e-324, 2.4703282292062328e-324]",
        ),
        (
            "where the plain and exponent forms meet",
            "[999999999999999999999, 1e20, 123e18, 1.5e21, 0.000001, 0.0000012345, 0.00000012345, 1e-6, 1e-7]",
        ),
        ("literals", " [ true ,false,\tnull ] "),
        ("a top-level string", '  "top level"  '),
        ("a top-level literal", "\r\nnull\r\n"),
        ("empty containers", "{ \"b\" : [ ] , \"a\" : { } , \"c\" : [ { } , [ ] ] }"),
        ("an empty string and an empty name", '{"": ""}'),
        (
            "every kind of whitespace",
            '\t\n\r {\n\t"z"\t:\r\n1 ,\n  "y" : [ 1 ,\t2 , 3 ] , "x":\n{ "w" : "v" } }\n',
        ),
        (
            "names that sort by UTF-16, not by code point",
            r'{"\ud83d\ude00": 1, "\ufb01": 2, "\u20ac": 3, "\uff21": 4, "\ue000": 5, "\ud800\udc00": 6, "z": 7}',
        ),
        (
            "names that are prefixes and differ in case",
            '{"ab": 1, "a": 2, "": 3, "aa": 4, "B": 5, "b": 6, "A": 7, "a\\u0000": 8, "_": 9, "~": 10}',
        ),
        (
            "escaped letters become raw UTF-8",
            r'"\u0041\u00e9\u00E9\u20AC\u4e2d\uD83D\uDE00\uDBFF\uDFFF"',
        ),
        (
            "control characters are escaped in lowercase hex, or by their short form",
            r'"\u0000\u0001\u0007\u0008\u0009\u000A\u000b\u000C\u000D\u000e\u001F\u0020\u007f\u0080\u009f"',
        ),
        ("the two-character escapes", r'"\"\\\/\b\f\n\r\t"'),
        ("U+2028 and U+2029 stay raw, escaped or not", '["\\u2028\\u2029", "\u2028\u2029"]'),
        ("raw non-ASCII text", '{"naïve": "héllo ✓ 日本語 🚀", "données": "Ωμέγα"}'),
        ("quotes, backslashes and slashes", r'{"path": "C:\\dir\\file", "quote": "say \"hi\"", "url": "https:\/\/x.io/a"}'),
        (
            "nested arrays and objects",
            '{"a": [1, [2, [3, {"b": [4, {"c": {"d": [5.0, 6e0, 7E+0]}}]}]]], "e": {"f": {"g": {}}}}',
        ),
        ("nesting 32 levels deep", "[" * 16 + '{"k": ' * 16 + "0" + "}" * 16 + "]" * 16),
        (
            "a transaction-like object",
            '{ "type" : "transfer", "nonce" : 7, "from" : "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",'
            ' "chainId" : 134, "body" : { "to" : "0x0000000000000000000000000000000000000000",'
            ' "amount" : "1000000000", "memo" : "rent \\u2014 March" } }',
        ),
    ]
    # Random doubles from their bit patterns, written as Python writes them (shortest round-trip digits).
    doubles = []
    while len(doubles) < 300:
        value = struct.unpack("<d", rng.randbytes(8))[0]
        if value == value and abs(value) != float("inf"):
            doubles.append(repr(value))
    cases.append(("300 random doubles from random bit patterns", "[" + ", ".join(doubles) + "]"))
    # Random decimal text: many digits, every exponent range, several spellings.
    texts = [_random_number_text(rng) for _ in range(300)]
    cases.append(("300 random decimal numbers in various spellings", "[" + ",".join(texts) + "]"))
    # Integers and round numbers around the switch to exponent form.
    around = []
    for power in range(-9, 25):
        for mantissa in (1, 12, 1234567, 9007199254740993, rng.randrange(1, 10**17)):
            around.append(f"{mantissa}e{power - len(str(mantissa)) + 1}")
    cases.append(("numbers of every magnitude from 1e-9 to 1e24", "[" + ", ".join(around) + "]"))
    return cases


def gen_canonical_json() -> list:
    rng = random.Random(0x4A435331)
    for bits, expected in RFC8785_NUMBERS:
        check(rfc8785.dumps(_double(bits)).decode() == expected, f"rfc8785 prints {bits} as {expected}")
        check(spec_es_number(_double(bits)) == expected, f"the spec formatter prints {bits} as {expected}")
    cases = []
    for name, text in canonical_json_inputs(rng):
        value = load_json_strictly(text)
        canonical = rfc8785.dumps(value)
        check(canonical == spec_canonical_json(value), f"JCS cross-check: {name}")
        check(rfc8785.dumps(load_json_strictly(canonical.decode("utf-8"))) == canonical, f"idempotent: {name}")
        check(canonical != text.encode("utf-8"), f"input is already canonical: {name}")
        if text is RFC8785_EXAMPLE:
            check(canonical.decode("utf-8") == RFC8785_EXAMPLE_CANONICAL, "the RFC's canonical form")
        if text is RFC8785_SORTING:
            check(list(json.loads(canonical)) == RFC8785_SORTED_NAMES, "the RFC's sorted order")
        cases.append({"name": name, "input": text, "canonical": hx(canonical)})
    return cases


def signed_canonical_document(document: dict, key: bytes) -> dict:
    """Canonicalize with rfc8785, hash with keccak256, sign the 32-byte digest as an EIP-191 personal message."""
    canonical = rfc8785.dumps(document)
    check(canonical == spec_canonical_json(document), "JCS cross-check")
    digest = keccak(canonical)
    signable = encode_defunct(primitive=digest)
    check(bytes(_hash_eip191_message(signable)) == spec_personal_digest(digest), "EIP-191 digest cross-check")
    signed = Account.sign_message(signable, key)
    signature = bytes(signed.signature)
    _check_signature(signature)
    check(Account.recover_message(signable, signature=signature) == Account.from_key(key).address, "recover")
    return {"canonical": hx(canonical), "digest": hx(digest), "privateKey": hx(key), "signature": hx(signature)}


def transaction_bodies(rng: random.Random) -> list[tuple[str, dict]]:
    def addr() -> str:
        return random_address(rng)

    def b(count: int) -> str:
        return hx(rng.randbytes(count))

    def amount() -> str:
        return str(rng.choice([0, 1, rng.randrange(10**9), rng.randrange(10**18), rng.randrange(UINT64_MAX)]))

    def order(kind: str) -> dict:
        fields = {name: type_name for name, type_name in IEXEC_ORDER_TYPES[kind]}
        values = {}
        for name, type_name in fields.items():
            if type_name == "address":
                values[name] = addr() if rng.random() < 0.6 else to_checksum_address(ZERO_ADDRESS)
            elif type_name == "bytes32":
                values[name] = b(32)
            elif type_name == "string":
                values[name] = '{"iexec_args":"--in \\"data\\" ✓","iexec_result_encryption":true}'
            else:
                values[name] = str(rng.choice([0, 1, 3, 100, rng.randrange(UINT64_MAX)]))
        return {"order": values, "signature": b(65)}

    return [
        ("transfer", {"to": addr(), "amount": "1000000000"}),
        ("deposit", {"amount": "0"}),
        ("withdraw", {"amount": str(UINT64_MAX), "to": addr()}),
        (
            "registerApp",
            {
                "owner": addr(),
                "name": "hello-world ✓",
                "type": "WASM",
                "multiaddr": "/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
                "checksum": b(32),
                "mrenclave": {"framework": "TDX", "version": "v1", "entrypoint": "/app/run", "heapSize": 1073741824},
            },
        ),
        (
            "registerDataset",
            {"owner": addr(), "name": "données médicales 🩺", "multiaddr": "https://example.org/d.zip", "checksum": b(32)},
        ),
        ("registerWorkerpool", {"owner": addr(), "description": "東京 workerpool — fast\u2028second line"}),
        (
            "matchOrders",
            {
                "appOrder": order("AppOrder"),
                "datasetOrder": order("DatasetOrder"),
                "workerpoolOrder": order("WorkerpoolOrder"),
                "requestOrder": order("RequestOrder"),
            },
        ),
        ("cancelOrder", {"kind": "RequestOrder", "orderHash": b(32)}),
        ("initialize", {"dealId": b(32), "index": 0}),
        (
            "contribute",
            {
                "taskId": b(32),
                "resultHash": b(32),
                "resultSeal": b(32),
                "enclaveChallenge": addr(),
                "enclaveSign": b(65),
                "authorizationSign": b(65),
            },
        ),
        ("reveal", {"taskId": b(32), "resultDigest": b(32)}),
        ("finalize", {"taskId": b(32), "results": "0x", "resultsCallback": b(rng.randrange(1, 100))}),
        ("claim", {"taskId": b(32)}),
        (
            "transfer",
            {"to": addr(), "amount": amount(), "memo": "tab\there, newline\nthere, bell\u0007, quote \" and \\"},
        ),
        (
            "setMetadata",
            {"asset": addr(), "labels": {"\U0001f600": "grin", "\ufb01": "ligature", "\u20ac": "euro", "a": "", "": "empty"}},
        ),
        (
            "batchTransfer",
            {"transfers": [{"to": addr(), "amount": amount()} for _ in range(4)], "atomic": True},
        ),
        ("setCallback", {"dealId": b(32), "callback": None, "encryptResult": True, "trust": 1, "category": 0}),
        ("transfer", {"to": addr(), "amount": str(rng.randrange(UINT64_MAX)), "tags": [b(32), b(32)], "flags": []}),
        ("noop", {}),
        (
            "grantAccess",
            {
                "datasetOrder": order("DatasetOrder"),
                "apprestrict": addr(),
                "note": "accès accordé: ünïcödé ✓ 🚀",
                "nested": {"level1": {"level2": {"level3": [1, 2, {"level4": "deep"}]}}},
            },
        ),
    ]


def gen_transactions() -> list:
    rng = random.Random(0x54584E53)
    chain_ids = [134, 134, 134, 1, 65535, 4294967295]
    cases = []
    for index, (kind, body) in enumerate(transaction_bodies(rng)):
        key = random_private_key(rng)
        nonce = [0, 1, 2, 9007199254740991][index] if index < 4 else rng.randrange(0, 100000)
        transaction = {
            "chainId": chain_ids[index % len(chain_ids)],
            "from": Account.from_key(key).address,
            "nonce": nonce,
            "type": kind,
            "body": body,
        }
        cases.append({"transaction": transaction, **signed_canonical_document(transaction, key)})
    return cases


def _signed_order(order_type: str, message: dict, key: bytes, domain: dict) -> dict:
    """An order as Clave's transactions carry it ({order, signature}), signed with EIP-712 by eth-account."""
    fields = IEXEC_ORDER_TYPES[order_type]
    typed_data = {
        "types": {
            "EIP712Domain": domain_type(domain),
            order_type: [{"name": name, "type": type_name} for name, type_name in fields],
        },
        "primaryType": order_type,
        "domain": domain,
        "message": message,
    }
    return {"order": message, "signature": sign_typed_data(typed_data, key)["signature"]}


def gen_ledger_transactions() -> dict:
    """Transactions in Clave's own format (docs/formats/transaction-signature.md), every signature by eth-account:
    the envelope's (EIP-191 over the RFC 8785 digest) and, inside matchOrders, the orders' (EIP-712)."""
    rng = random.Random(0x4C454447)
    chain_id = 65535
    hub = random_address(rng)
    domain = {"name": "iExecODB", "version": "5.0.0", "chainId": str(chain_id), "verifyingContract": hub}
    owner, requester = random_private_key(rng), random_private_key(rng)
    owner_address, requester_address = Account.from_key(owner).address, Account.from_key(requester).address
    app, dataset, pool = random_address(rng), random_address(rng), random_address(rng)
    zero = "0x" + "00" * 20
    salt = lambda: hx(bytes(rng.getrandbits(8) for _ in range(32)))
    tag = "0x" + "00" * 31 + "01"
    app_order = {"app": app, "appprice": "5", "volume": "10", "tag": tag, "datasetrestrict": zero,
                 "workerpoolrestrict": zero, "requesterrestrict": zero, "salt": salt()}
    dataset_order = {"dataset": dataset, "datasetprice": "1000000000", "volume": "3", "tag": "0x" + "00" * 32,
                     "apprestrict": app, "workerpoolrestrict": zero, "requesterrestrict": requester_address,
                     "salt": salt()}
    pool_order = {"workerpool": pool, "workerpoolprice": "18446744073709551615", "volume": "100", "tag": tag,
                  "category": "0", "trust": "1", "apprestrict": zero, "datasetrestrict": zero,
                  "requesterrestrict": zero, "salt": salt()}
    request_order = {"app": app, "appmaxprice": "5", "dataset": dataset, "datasetmaxprice": "1000000000",
                     "workerpool": zero, "workerpoolmaxprice": "18446744073709551615", "requester": requester_address,
                     "volume": "1", "tag": tag, "category": "0", "trust": "1", "beneficiary": requester_address,
                     "callback": zero, "params": '{"iexec_args":"héllo ✓"}', "salt": salt()}
    bodies = [
        (owner, "deposit", {"amount": "1000000000000"}),
        (owner, "createApp", {"name": "hello-world", "type": "WASM", "multiaddr": "clave://bafkrei",
                              "checksum": salt(), "mrenclave": "sha256:" + "ab" * 32}),
        (owner, "createDataset", {"name": "email ✓", "multiaddr": "clave://bafkreidata", "checksum": salt(),
                                  "schema": '{"email":"string"}'}),
        (owner, "presign", {"kind": "dataset", "order": dataset_order}),
        (requester, "matchOrders", {
            "app": _signed_order("AppOrder", app_order, owner, domain),
            "dataset": {"order": dataset_order, "signature": None},
            "workerpool": _signed_order("WorkerpoolOrder", pool_order, owner, domain),
            "request": _signed_order("RequestOrder", request_order, requester, domain)}),
        (owner, "finalize", {"taskId": salt(), "results": "0x" + b"ipfs://result".hex(), "resultsCallback": "0x"}),
    ]
    cases = []
    nonces = {}
    for key, kind, body in bodies:
        address = Account.from_key(key).address
        nonce = nonces.get(address, 0)
        nonces[address] = nonce + 1
        transaction = {"chainId": chain_id, "from": address, "nonce": nonce, "type": kind, "body": body}
        cases.append({"transaction": transaction, **signed_canonical_document(transaction, key)})
    return {"chainId": chain_id, "hub": hub, "transactions": cases}


def gen_deal_ids() -> list:
    rng = random.Random(0x4445414C)
    consumed = [0, 0, 1, 2, 3, 255, 256, 1000, 2**32, 2**53, UINT64_MAX, 2**64, 2**128, 2**255, 2**256 - 3]
    consumed += [rng.randrange(0, 2**rng.choice([8, 32, 64, 256]) - 2) for _ in range(5)]
    cases = []
    for position, before in enumerate(consumed):
        request_hash = b"\x00" * 32 if position == 0 else rng.randbytes(32)
        deal_id = keccak(abi_encode(["bytes32", "uint256"], [request_hash, before]))
        check(deal_id == keccak(request_hash + before.to_bytes(32, "big")), "encodePacked equals encode")
        tasks = []
        for index in range(before, before + 3):
            task_id = keccak(abi_encode(["bytes32", "uint256"], [deal_id, index]))
            check(task_id == keccak(deal_id + index.to_bytes(32, "big")), "task id cross-check")
            tasks.append({"index": str(index), "taskId": hx(task_id)})
        cases.append(
            {"requestOrderHash": hx(request_hash), "consumedBefore": str(before), "dealId": hx(deal_id), "tasks": tasks}
        )
    return cases


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
    "canonical_json.json": gen_canonical_json,
    "transactions.json": gen_transactions,
    "deal_ids.json": gen_deal_ids,
    "ledger_transactions.json": gen_ledger_transactions,
    "iexec_aes_cbc.json": gen_iexec_aes_cbc,
}

# Fixtures of ClaveCoreTests (Scripts/vectors/protected_data.py, Scripts/vectors/results.py).
CORE_GENERATORS: dict[str, Callable[[], Any]] = {
    "protected_data.json": gen_protected_data,
    "results.json": gen_results,
    "result_sealing.json": gen_result_sealing,
}


# Fixtures of ClaveStorageTests (Scripts/vectors/cids.py).
STORAGE_GENERATORS: dict[str, Callable[[], Any]] = {
    "cid.json": gen_cids,
}


def fixture_sets(out: Path | None) -> list[tuple[Path, dict[str, Callable[[], Any]]]]:
    """Each fixtures directory with its generators; with --out, every file goes into that one directory."""
    if out is not None:
        return [(out, {**GENERATORS, **CORE_GENERATORS, **STORAGE_GENERATORS})]
    return [
        (FIXTURES_DIR, GENERATORS),
        (CORE_FIXTURES_DIR, CORE_GENERATORS),
        (STORAGE_FIXTURES_DIR, STORAGE_GENERATORS),
    ]


def write_all(out_dir: Path, generators: dict[str, Callable[[], Any]], quiet: bool = False) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, generate in generators.items():
        with no_unseeded_randomness():
            data = generate()
        with open(out_dir / name, "w", encoding="utf-8", newline="\n") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
        if not quiet:
            count = len(data) if isinstance(data, list) else len(data.get("cases", data.get("orders", data.get("transactions", data.get("objects", [])))))
            print(f"wrote {out_dir / name} ({count} cases)")


def check_fixtures(fixtures_dir: Path, generators: dict[str, Callable[[], Any]]) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        write_all(Path(tmp), generators, quiet=True)
        stale = []
        for name in generators:
            committed = fixtures_dir / name
            if not committed.exists():
                stale.append(f"{committed}: missing")
            elif not filecmp.cmp(Path(tmp) / name, committed, shallow=False):
                stale.append(f"{committed}: differs from a fresh generation")
    return stale


def check_all(out: Path | None) -> int:
    stale = [line for directory, generators in fixture_sets(out) for line in check_fixtures(directory, generators)]
    if stale:
        for line in stale:
            print(line, file=sys.stderr)
        print("fixtures out of date: run python3 Scripts/vectors/generate.py", file=sys.stderr)
        return 1
    print("fixtures up to date")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--out", type=Path, default=None, help="one directory to write every file to (default: each test target's)"
    )
    parser.add_argument(
        "--check", action="store_true", help="generate into a temporary directory and compare with --out's files"
    )
    args = parser.parse_args()
    if args.check:
        return check_all(args.out)
    for directory, generators in fixture_sets(args.out):
        write_all(directory, generators)
    return 0


if __name__ == "__main__":
    sys.exit(main())
