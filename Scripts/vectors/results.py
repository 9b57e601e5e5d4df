"""Result vectors for generate.py: iExec's result digest, resultHash, resultSeal and enclave signature.

Written from iExec's rules, independently of the Swift code:

- Digests: a file's is hashlib sha256 of its bytes; a directory's is keccak256 (eth-hash) of the concatenated
  sha256 of its direct non-empty files sorted by the UTF-8 bytes of their names (tee-worker-post-compute-rust
  `get_file_tree_sha256`); a callback's is keccak256 of the hex-decoded callback bytes (PoCo's
  `keccak256(resultsCallback) == resultDigest`).
- resultHash = keccak256(taskid ‖ digest), resultSeal = keccak256(worker ‖ taskid ‖ digest) as eth-abi's
  `encode_packed` writes them (PoCo IexecPoco2Facet.sol); the enclave message is keccak256(resultHash ‖ resultSeal).
- The enclave signature is eth-account's `sign_message(encode_defunct(primitive=message))` (EIP-191), checked to
  recover to the enclave address and against a from-the-spec personal-message digest.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from eth_abi.packed import encode_packed
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct
from eth_utils import keccak as _eth_keccak
from eth_utils import to_checksum_address

# tee-worker-post-compute-rust src/post_compute/signer.rs: the key, message and signature of its signer test.
RUST_SIGNER_KEY = "0xdd3b993ec21c71c1f6d63a5240850e0d4d8dd83ff70d29e49247958548c1d479"
RUST_SIGNER_MESSAGE = "0x5cd0e9c5180dd35e2b8285d0db4ded193a9b4be6fbfab90cbadccecab130acad"
RUST_SIGNER_SIGNATURE = (
    "0xfcc6bce5eb04284c2eb1ed14405b943574343b1abda33628fbf94a374b18dd16"
    "541c6ebf63c6943d8643ff03c7aa17f1cb17b0a8d297d0fd95fc914bdd0e85f81b"
)


def _hx(data: bytes) -> str:
    return "0x" + bytes(data).hex()


def _unhex(text: str) -> bytes:
    return bytes.fromhex(text[2:] if text.startswith("0x") else text)


def _keccak(data: bytes) -> bytes:
    return bytes(_eth_keccak(data))


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(what)


def _sign(key: str, message: bytes) -> str:
    signed = Account.sign_message(encode_defunct(primitive=message), private_key=key)
    digest = _keccak(b"\x19Ethereum Signed Message:\n32" + message)
    _check(bytes(_hash_eip191_message(encode_defunct(primitive=message))) == digest, "EIP-191 digest")
    _check(bytes(signed.message_hash) == digest, "eth-account digest")
    signature = _hx(signed.signature)
    _check(Account._recover_hash(digest, signature=signature) == Account.from_key(key).address, "recovery")
    return signature


def _commitment(task_id: bytes, worker: str, digest: bytes, key: str) -> dict[str, Any]:
    worker_bytes = _unhex(worker)
    result_hash = _keccak(encode_packed(["bytes32", "bytes32"], [task_id, digest]))
    result_seal = _keccak(encode_packed(["address", "bytes32", "bytes32"], [worker, task_id, digest]))
    _check(result_hash == _keccak(task_id + digest), "resultHash as plain concatenation")
    _check(result_seal == _keccak(worker_bytes + task_id + digest), "resultSeal as plain concatenation")
    message = _keccak(result_hash + result_seal)
    return {
        "taskId": _hx(task_id),
        "worker": to_checksum_address(worker_bytes),
        "resultDigest": _hx(digest),
        "resultHash": _hx(result_hash),
        "resultSeal": _hx(result_seal),
        "enclaveMessage": _hx(message),
        "enclaveKey": key,
        "enclaveAddress": Account.from_key(key).address,
        "enclaveSignature": _sign(key, message),
    }


def _directory_digest(entries: list[tuple[str, bytes]]) -> bytes:
    ordered = sorted(entries, key=lambda entry: entry[0].encode("utf-8"))
    return _keccak(b"".join(hashlib.sha256(contents).digest() for _, contents in ordered if contents))


def gen_results() -> dict[str, Any]:
    rng = random.Random(0x5E5017)

    # The Rust signer test, reproduced.
    rust_message = _unhex(RUST_SIGNER_MESSAGE)
    rust_signature = _sign(RUST_SIGNER_KEY, rust_message)
    _check(rust_signature == RUST_SIGNER_SIGNATURE, "tee-worker-post-compute-rust signer vector")
    signer = {
        "privateKey": RUST_SIGNER_KEY,
        "address": Account.from_key(RUST_SIGNER_KEY).address,
        "message": RUST_SIGNER_MESSAGE,
        "signature": rust_signature,
    }

    files = []
    samples = [
        ("hello", b"hello\n", b"\x11" * 32, "0x" + "22" * 20, RUST_SIGNER_KEY),
    ]
    for index in range(5):
        contents = rng.randbytes(rng.choice([1, 31, 32, 33, 1000, rng.randrange(2, 5000)]))
        key = _hx(rng.randbytes(32))
        samples.append((f"random{index}", contents, rng.randbytes(32), _hx(rng.randbytes(20)), key))
    for name, contents, task_id, worker, key in samples:
        digest = hashlib.sha256(contents).digest()
        case = {"name": name, "contents": _hx(contents), "sha256": _hx(digest)}
        case.update(_commitment(task_id, worker, digest, key))
        files.append(case)

    directories = []
    dir_samples: list[tuple[str, list[tuple[str, bytes]]]] = [
        ("two files", [("a.txt", b"a"), ("b.txt", b"b")]),
        ("listed out of order", [("b.txt", b"b"), ("a.txt", b"a")]),
        ("one file", [("result.txt", b"hello\n")]),
        ("byte order, not case", [("b", b"1"), ("B", b"2"), ("a", b"3"), ("A", b"4"), ("_", b"5")]),
        ("UTF-8 order", [("\ue000", b"private use"), ("\U0001F600", b"emoji"), ("z", b"ascii"), ("é", b"e acute")]),
        ("an empty file contributes nothing", [("a.txt", b"a"), ("empty", b""), ("b.txt", b"b")]),
        ("random", [(f"file{i:02d}.bin", rng.randbytes(rng.randrange(1, 300))) for i in range(12)]),
    ]
    for name, entries in dir_samples:
        directories.append(
            {
                "name": name,
                "entries": [
                    {"name": entry, "contents": _hx(contents), "sha256": _hx(hashlib.sha256(contents).digest())}
                    for entry, contents in entries
                ],
                "digest": _hx(_directory_digest(entries)),
            }
        )
    _check(
        directories[0]["digest"] == "0x9357c59d3ff5027438ddab3b1655da04ba890e0a43fac9d9568f78941d4b5a1f",
        "two-file directory vector",
    )
    _check(directories[0]["digest"] == directories[1]["digest"], "order of listing")
    _check(directories[0]["digest"] == directories[5]["digest"], "empty file skipped")

    callbacks = []
    for data in [b"\x00" * 31 + b"\x01", b"\x01", bytes(range(256)), rng.randbytes(100)]:
        callbacks.append({"data": _hx(data), "digest": _hx(_keccak(data)), "textDigest": _hx(_keccak(_hx(data).encode()))})
    _check(
        callbacks[0]["textDigest"] == "0xcb371be217faa47dab94e0d0ff0840c6cbf41645f0dc1a6ae3f34447155a76f3",
        "the Rust port's text-hash vector",
    )

    return {"signer": signer, "files": files, "directories": directories, "callbacks": callbacks}
