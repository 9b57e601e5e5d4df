"""CID vectors for generate.py: the names of blobs, CIDv1 with the raw codec and a sha2-256 multihash in base32.

Written from the multiformats specs, independently of the Swift code: py-cid and py-multihash make each CID
(`make_cid(1, "raw", multihash.digest(content, "sha2-256"))`, `encode("base32")`), and every one is cross-checked
against the specs alone: 0x01 0x55 0x12 0x20 followed by hashlib's SHA-256, in RFC 4648 base32 from Python's base64,
lowercase, without padding, after the multibase prefix `b`. The refused texts are confirmed by py-cid and
py-multibase to be what their reason says (a CIDv0, another multibase, codec or hash function, a wrong length).
"""

from __future__ import annotations

import base64
import hashlib
import random

import cid as py_cid
import multibase
import multihash


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(what)


def _hx(data: bytes) -> str:
    return "0x" + bytes(data).hex()


def spec_raw_cid(content: bytes) -> tuple[bytes, str]:
    """The CIDv1 of a raw block from the specs alone: 0x01 0x55 0x12 0x20 + sha256, multibase 'b' + RFC 4648 base32."""
    binary = bytes([0x01, 0x55, 0x12, 0x20]) + hashlib.sha256(content).digest()
    return binary, "b" + base64.b32encode(binary).decode("ascii").lower().rstrip("=")


def _py_cid_raw(content: bytes) -> tuple[bytes, str]:
    """The same CID as py-cid and py-multihash make it."""
    made = py_cid.make_cid(1, "raw", multihash.digest(content, "sha2-256").encode())
    return bytes(made.buffer), made.encode("base32").decode("ascii")


def _cid_case(name: str, content: bytes, repeat: tuple[int, int] | None = None) -> dict:
    binary, text = _py_cid_raw(content)
    _check((binary, text) == spec_raw_cid(content), f"py-cid and the specs disagree on {name}")
    _check(text.startswith("bafkrei") and len(text) == 59, f"{text} is not a raw sha2-256 CIDv1")
    case = {"name": name, "digest": _hx(hashlib.sha256(content).digest()), "bytes": _hx(binary), "cid": text}
    if repeat:
        case["repeat"] = {"byte": _hx(bytes([repeat[0]])), "count": repeat[1]}
    else:
        case["input"] = _hx(content)
    return case


def _cid_refusals() -> list:
    """Texts that are not a blob's CID, each confirmed to be what its reason says by py-cid / py-multibase."""
    content = b"hello world\n"
    sha256 = multihash.digest(content, "sha2-256").encode()
    raw = py_cid.make_cid(1, "raw", sha256)
    good = raw.encode("base32").decode("ascii")
    cases = []

    def add(name: str, text: str, reason: str) -> None:
        cases.append({"name": name, "text": text, "reason": reason})

    v0 = str(py_cid.make_cid(0, "dag-pb", sha256))
    _check(v0.startswith("Qm") and py_cid.from_string(v0).version == 0, "CIDv0")
    add("CIDv0", v0, "cidv0")
    for base in ["base58btc", "base16", "base32upper", "base64", "base36"]:
        text = raw.encode(base).decode("ascii")
        _check(multibase.get_codec(text).encoding == base and py_cid.from_string(text) == raw, base)
        add(f"the same CID in {base}", text, "multibase")
    for codec in ["dag-pb", "dag-cbor", "dag-json"]:
        text = py_cid.make_cid(1, codec, sha256).encode("base32").decode("ascii")
        _check(py_cid.from_string(text).codec == codec, codec)
        add(f"codec {codec}", text, "codec")
    for function, code in [("blake2b-256", 0xB220), ("sha2-512", 0x13), ("identity", 0x00)]:
        text = py_cid.make_cid(1, "raw", multihash.digest(content, function).encode()).encode("base32").decode("ascii")
        _check(multihash.decode(py_cid.from_string(text).multihash).code == code, function)
        add(f"hash function {function}", text, "hashFunction")
    binary = bytes(raw.buffer)
    for name, changed in [("a digest one byte short", binary[:-1]), ("a byte after the digest", binary + b"\x00")]:
        text = multibase.encode("base32", changed).decode("ascii")
        _check(multibase.decode(text) == changed, name)
        add(name, text, "length")
    add("uppercase letters", good[:20] + good[20:30].upper() + good[30:], "notBase32")
    add("the digit 1", good[:-2] + "1" + good[-1:], "notBase32")
    add("padding", good + "=", "notBase32")
    add("a space", " " + good, "multibase")
    add("one character more", good + "a", "notBase32")
    add("the last character with bits past the bytes", good[:-1] + "b", "notBase32")
    add("empty", "", "empty")
    return cases


def gen_cids() -> dict:
    """cid.json: the CIDs of 25 contents (empty to a million bytes), and 21 texts that must be refused."""
    rng = random.Random(0x43494431)
    cases = [
        _cid_case("empty", b""),
        _cid_case("hello world\\n (echo 'hello world' | ipfs add --raw-leaves --cid-version 1)", b"hello world\n"),
        _cid_case("hello world", b"hello world"),
        _cid_case("abc", b"abc"),
        _cid_case("a million 'a'", b"a" * 1_000_000, repeat=(0x61, 1_000_000)),
    ]
    for length in [1, 2, 31, 32, 33, 55, 56, 63, 64, 65, 127, 128, 1000, 4096] + [rng.randrange(1, 3000) for _ in range(6)]:
        cases.append(_cid_case(f"{length} random bytes", rng.randbytes(length)))
    _check(cases[1]["cid"] == "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4", "IPFS's hello world")
    return {"cases": cases, "invalid": _cid_refusals()}
