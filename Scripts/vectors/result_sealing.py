"""Sealed-result and result-receipt vectors for generate.py (docs/formats/result-encryption.md,
docs/formats/result-receipt.md), written from those pages, independently of the Swift code.

- Result keys: HKDF-SHA256 (pyca/cryptography) over the 32-byte account key with info `clave-result-key-v1`, and the
  X25519 public key of the output (cryptography), cross-checked against a from-the-RFC HKDF on hmac/hashlib.
- Sealed results: the 52-byte prefix, an HPKE envelope made with pyhpke (its ephemeral key drawn from the seeded
  generator), and a clave-stream-v1 stream made with cryptography's AESGCM and HKDF; each is opened again here
  (pyhpke recipient context, AESGCM) before it is written.
- Receipts: the receipt object, its RFC 8785 form (rfc8785), keccak256 (eth-hash) of the form without
  `receiptSignature`, and the EIP-191 signatures of eth-account, each checked to recover to the enclave address.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import struct
from typing import Any

import rfc8785
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak as _eth_keccak
from eth_utils import to_checksum_address
from pyhpke import AEADId, CipherSuite, KDFId, KEMId, KEMKeyPair

RESULT_KEY_LABEL = b"clave-result-key-v1"
MAGIC = b"clave-result-v1\x00"
PURPOSE = b"clave-result-v1"
ENVELOPE_HEADER = b"CLHP" + bytes([1]) + struct.pack(">HHH", 0x0020, 0x0001, 0x0002)
STREAM_LABEL = b"clave-stream-v1 segment key"
SUITE = CipherSuite.new(KEMId.DHKEM_X25519_HKDF_SHA256, KDFId.HKDF_SHA256, AEADId.AES256_GCM)
BLOB_CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"


def _hx(data: bytes) -> str:
    return "0x" + bytes(data).hex()


def _keccak(data: bytes) -> bytes:
    return bytes(_eth_keccak(data))


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(what)


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt or None, info=info).derive(ikm)
    # RFC 5869 by hand: an empty salt is HashLen zeros; one block of output.
    prk = hmac.new(salt or b"\x00" * 32, ikm, hashlib.sha256).digest()
    _check(derived == hmac.new(prk, info + b"\x01", hashlib.sha256).digest(), "HKDF cross-check")
    return derived


def result_key(account_key: bytes) -> tuple[bytes, bytes]:
    secret = _hkdf(account_key, b"", RESULT_KEY_LABEL)
    public = X25519PrivateKey.from_private_bytes(secret).public_key().public_bytes_raw()
    return secret, public


def _stream(key: bytes, plaintext: bytes, segment_size: int, salt: bytes, prefix: bytes) -> bytes:
    header = b"CLVS" + bytes([1]) + struct.pack(">I", segment_size) + salt + prefix
    segment_key = _hkdf(key, salt, STREAM_LABEL + header)
    aead = AESGCM(segment_key)
    chunks = [plaintext[i : i + segment_size] for i in range(0, len(plaintext), segment_size)] or [b""]
    out = header
    for index, chunk in enumerate(chunks):
        nonce = prefix + struct.pack(">I", index) + bytes([1 if index == len(chunks) - 1 else 0])
        out += aead.encrypt(nonce, chunk, None)
    return out


def _open_stream(key: bytes, stream: bytes) -> bytes:
    header, rest = stream[:48], stream[48:]
    segment_size = struct.unpack(">I", header[5:9])[0]
    aead = AESGCM(_hkdf(key, header[9:41], STREAM_LABEL + header))
    sealed_size = segment_size + 16
    segments = [rest[i : i + sealed_size] for i in range(0, len(rest), sealed_size)]
    return b"".join(
        aead.decrypt(header[41:48] + struct.pack(">I", i) + bytes([1 if i == len(segments) - 1 else 0]), s, None)
        for i, s in enumerate(segments)
    )


def seal(rng: random.Random, plaintext: bytes, public: bytes, task_id: bytes, segment_size: int) -> bytes:
    content_key = rng.randbytes(32)
    sk_e_bytes = rng.randbytes(32)
    kem = SUITE.kem
    sk_e = kem.deserialize_private_key(sk_e_bytes)
    pk_e = kem.deserialize_public_key(
        X25519PrivateKey.from_private_bytes(sk_e_bytes).public_key().public_bytes_raw()
    )
    info = PURPOSE + b"\x00" + task_id
    enc, sender = SUITE.create_sender_context(kem.deserialize_public_key(public), info, eks=KEMKeyPair(sk_e, pk_e))
    envelope = ENVELOPE_HEADER + enc + sender.seal(content_key, ENVELOPE_HEADER)
    prefix = MAGIC + task_id + struct.pack(">I", len(envelope))
    _check(prefix[:48] == info, "the prefix starts with the HPKE info")
    return prefix + envelope + _stream(content_key, plaintext, segment_size, rng.randbytes(32), rng.randbytes(7))


def open_sealed(sealed: bytes, secret: bytes, task_id: bytes) -> bytes:
    _check(sealed[:16] == MAGIC and sealed[16:48] == task_id, "prefix")
    length = struct.unpack(">I", sealed[48:52])[0]
    envelope = sealed[52 : 52 + length]
    _check(envelope[:11] == ENVELOPE_HEADER, "envelope header")
    recipient = SUITE.create_recipient_context(
        envelope[11:43], SUITE.kem.deserialize_private_key(secret), PURPOSE + b"\x00" + task_id
    )
    content_key = recipient.open(envelope[43:], ENVELOPE_HEADER)
    return _open_stream(content_key, sealed[52 + length :])


def _sign(key: str, digest: bytes) -> str:
    signed = Account.sign_message(encode_defunct(primitive=digest), private_key=key)
    signature = _hx(signed.signature)
    _check(
        Account._recover_hash(_keccak(b"\x19Ethereum Signed Message:\n32" + digest), signature=signature)
        == Account.from_key(key).address,
        "recovery",
    )
    return signature


def receipt(rng: random.Random, enclave_key: str, callback: bytes | None, simulated: bool) -> dict[str, Any]:
    task_id, worker = rng.randbytes(32), to_checksum_address(rng.randbytes(20))
    digest = _keccak(callback) if callback is not None else hashlib.sha256(rng.randbytes(100)).digest()
    result_hash = _keccak(task_id + digest)
    result_seal = _keccak(bytes.fromhex(worker[2:]) + task_id + digest)
    body: dict[str, Any] = {
        "version": 1,
        "chainId": 1337,
        "taskId": _hx(task_id),
        "dealId": _hx(rng.randbytes(32)),
        "app": to_checksum_address(rng.randbytes(20)),
        "appMeasurement": _hx(rng.randbytes(32)),
        "dataset": None if callback is not None else to_checksum_address(rng.randbytes(20)),
        "datasetChecksum": None if callback is not None else _hx(rng.randbytes(32)),
        "inputFiles": [] if callback is not None else [{"url": f"clave://{BLOB_CID}/input.csv", "sha256": _hx(rng.randbytes(32))}],
        "worker": worker,
        "resultDigest": _hx(digest),
        "resultHash": _hx(result_hash),
        "resultSeal": _hx(result_seal),
        "callbackData": None if callback is None else _hx(callback),
        "deterministicOutputPath": None if callback is not None else "/iexec_out/result.txt",
        "result": None
        if callback is not None
        else {"cid": BLOB_CID, "sha256": _hx(rng.randbytes(32)), "size": rng.randrange(1, 2**40), "encrypted": True},
        "evidence": "simulated" if simulated else "tdx",
        "enclaveChallenge": Account.from_key(enclave_key).address,
        "enclaveSignature": _sign(enclave_key, _keccak(result_hash + result_seal)),
    }
    canonical = rfc8785.dumps(body)
    signed_digest = _keccak(canonical)
    full = dict(body, receiptSignature=_sign(enclave_key, signed_digest))
    return {
        "enclaveKey": enclave_key,
        "receipt": full,
        "unsignedCanonical": _hx(canonical),
        "signedDigest": _hx(signed_digest),
        "canonical": _hx(rfc8785.dumps(full)),
    }


def gen_result_sealing() -> dict[str, Any]:
    rng = random.Random(0x5EA1ED)
    keys = []
    for account_key in [bytes(31) + b"\x01", rng.randbytes(32), rng.randbytes(32)]:
        secret, public = result_key(account_key)
        keys.append({"accountKey": _hx(account_key), "resultKey": _hx(secret), "resultPublicKey": _hx(public)})

    sealed = []
    for name, size, segment_size in [
        ("empty", 0, 65536),
        ("hello", 6, 65536),
        ("one full segment", 64, 64),
        ("three segments", 150, 64),
        ("random", 1000, 256),
    ]:
        account_key = rng.randbytes(32)
        secret, public = result_key(account_key)
        plaintext = b"hello\n" if name == "hello" else rng.randbytes(size)
        task_id = rng.randbytes(32)
        blob = seal(rng, plaintext, public, task_id, segment_size)
        _check(open_sealed(blob, secret, task_id) == plaintext, "opens again")
        sealed.append(
            {
                "name": name,
                "accountKey": _hx(account_key),
                "resultPublicKey": _hx(public),
                "taskId": _hx(task_id),
                "plaintext": _hx(plaintext),
                "sealed": _hx(blob),
            }
        )

    receipts = [
        receipt(rng, _hx(rng.randbytes(32)), None, False),
        receipt(rng, _hx(rng.randbytes(32)), None, True),
        receipt(rng, _hx(rng.randbytes(32)), bytes(31) + b"\x01", False),
    ]
    return {"resultKeys": keys, "sealed": sealed, "receipts": receipts}
