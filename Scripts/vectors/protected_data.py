"""Protected-data vectors for generate.py: iExec's dataprotector payload and its AES-256-CBC layout.

Written from iExec's rules, independently of the Swift code:

- Borsh scalars come from borsh-construct (bool, f64, i128, string), cross-checked with struct.pack.
- The zip comes from Python's zipfile, configured to write what JSZip 3 writes with its defaults (STORE, platform
  DOS: version made by 0x0014, version needed 10, no flags, external attributes 0x10 for a directory and 0 for a
  file), with every timestamp 1980-01-01 00:00:00. The streamed entry is zipfile writing to an unseekable stream,
  which gives JSZip's `streamFiles: true` layout (flag bit 3, a data descriptor after the data).
- Entry order follows iExec's createZipFromObject: keys depth first in JavaScript property order (array-index keys
  first, ascending, then insertion order), a folder entry before each nested object's members, and JSZip's own
  hoisting of top-level array-index names to the front (its `files` is a plain object).
- The schema is iExec's extractDataSchema: bool, f64, i128, string, nested objects, and for binary data the first
  supported MIME type that magic-bytes.js finds, walking its signature tree as filetypeinfo does.
- AES-256-CBC vectors come from `cryptography` (PKCS#7 padding), cross-checked with pycryptodome.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import random
import struct
import zipfile
from typing import Any

import borsh_construct as borsh
from Crypto.Cipher import AES as PyCryptodomeAES
from Crypto.Util.Padding import pad as pycryptodome_pad
from cryptography.hazmat.primitives import padding as crypto_padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

DATE_TIME = (1980, 1, 1, 0, 0, 0)
I128_MIN = -(2**127)
I128_MAX = 2**127 - 1


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(what)


# ---------------------------------------------------------------------------
# Values: dict (insertion order) for objects, bool, float (f64), int (i128), str, bytes (binary)
# ---------------------------------------------------------------------------


def borsh_bytes(value: Any) -> bytes:
    """The Borsh bytes of a scalar, from borsh-construct, checked against struct.pack."""
    if isinstance(value, bool):
        out = borsh.Bool.build(value)
        _check(out == struct.pack("<?", value), "bool")
    elif isinstance(value, float):
        out = borsh.F64.build(value)
        _check(out == struct.pack("<d", value), "f64")
    elif isinstance(value, int):
        _check(I128_MIN <= value <= I128_MAX, "i128 range")
        out = borsh.I128.build(value)
        _check(out == value.to_bytes(16, "little", signed=True), "i128")
    elif isinstance(value, str):
        out = borsh.String.build(value)
        utf8 = value.encode("utf-8")
        _check(out == struct.pack("<I", len(utf8)) + utf8, "string")
    else:
        raise TypeError(value)
    return bytes(out)


def js_array_index(key: str) -> int | None:
    """The index when JavaScript treats the property name as an array index (canonical, below 2^32 - 1)."""
    if not key.isascii() or not key.isdigit() or (len(key) > 1 and key[0] == "0"):
        return None
    number = int(key)
    return number if number < 2**32 - 1 else None


def js_property_order(keys: list[str]) -> list[str]:
    indices = sorted((k for k in keys if js_array_index(k) is not None), key=lambda k: js_array_index(k))
    return indices + [k for k in keys if js_array_index(k) is None]


def zip_entries(data: dict) -> list[tuple[str, bytes | None]]:
    """createZipFromObject's JSZip entries: (name, contents), contents None for a folder."""
    names: list[str] = []
    contents: dict[str, bytes | None] = {}

    def visit(obj: dict, path: str) -> None:
        for key in js_property_order(list(obj)):
            value = obj[key]
            full = f"{path}/{key}" if path else key
            if isinstance(value, dict):
                # zip.folder(fullPath): one "full/" entry (its parents already exist)
                names.append(full + "/")
                contents[full + "/"] = None
                visit(value, full)
            else:
                names.append(full)
                contents[full] = value if isinstance(value, bytes) else borsh_bytes(value)

    visit(data, "")
    # JSZip keeps this.files as a plain object: array-index names enumerate first.
    ordered = js_property_order(names)
    return [(name, contents[name]) for name in ordered]


def jszip_layout(entries: list[tuple[str, bytes | None]]) -> bytes:
    """Python's zipfile writing the bytes JSZip writes with STORE and platform DOS, timestamps fixed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=DATE_TIME)
            info.create_system = 0  # DOS
            info.create_version = 20  # "version made by" 0x0014
            info.extract_version = 10
            info.compress_type = zipfile.ZIP_STORED
            if data is None:
                info.file_size = info.compress_size = info.CRC = 0
                info.external_attr = 0x10  # the DOS directory bit, and no Unix mode
                archive.mkdir(info)
            else:
                archive.writestr(info, data)
                info.external_attr = 0  # zipfile sets 0o600 << 16 on a file written with none; JSZip writes 0
    return buffer.getvalue()


class _Unseekable(io.RawIOBase):
    """A write-only stream without tell/seek, so that zipfile writes data descriptors."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk: bytes) -> int:  # type: ignore[override]
        self.data += chunk
        return len(chunk)


def jszip_streamed_layout(name: str, data: bytes) -> bytes:
    """One entry written as JSZip writes with streamFiles: true (bit 3, then a data descriptor)."""
    stream = _Unseekable()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive:
        info = zipfile.ZipInfo(name, date_time=DATE_TIME)
        info.create_system = 0
        info.create_version = 20
        info.extract_version = 10
        info.file_size = len(data)
        with archive.open(info, "w") as entry:
            for start in range(0, len(data), 1000):
                entry.write(data[start : start + 1000])
        info.external_attr = 0
    return bytes(stream.data)


# ---------------------------------------------------------------------------
# Schema: iExec's extractDataSchema with magic-bytes.js's signature tree
# ---------------------------------------------------------------------------

SUPPORTED_MIME_TYPES = [
    "application/octet-stream",
    "application/pdf",
    "application/xml",
    "application/zip",
    "audio/midi",
    "audio/mpeg",
    "audio/x-wav",
    "image/bmp",
    "image/gif",
    "image/jpeg",
    "image/png",
    "image/webp",
    "video/mp4",
    "video/mpeg",
    "video/x-msvideo",
]

# (offset, signature with None for "?", mime or None): magic-bytes.js's signatures that decide these answers.
_SIGNATURES: list[tuple[int, list[int | None], str | None]] = []


def _sig(mime: str | None, pattern: bytes | list[int | None], offset: int = 0) -> None:
    _SIGNATURES.append((offset, list(pattern), mime))


_sig("video/mp4", b"ftyp", 4)
_sig("image/heif", b"ftypmif1", 4)
_sig("image/heif", b"ftypheic", 4)
_sig("video/quicktime", b"ftypqt", 4)
for _atom in (b"free", b"mdat", b"moov", b"wide"):
    _sig("video/quicktime", _atom, 4)
_sig(None, bytes([0xFE, 0xED, 0xFA, 0xCE]), 0x1000)
_sig(None, bytes([0xFE, 0xED, 0xFA, 0xCF]), 0x1000)
_sig(None, b"ustar\x0000", 0x101)
_sig(None, b"ustar  \x00", 0x101)
_sig(None, b"DICM", 0x80)
_sig("image/gif", b"GIF87a")
_sig("image/gif", b"GIF89a")
_sig("image/jpeg", bytes([0xFF, 0xD8, 0xFF, 0xDB]))
_sig("image/jpeg", [0xFF, 0xD8, 0xFF, 0xE0, None, None] + list(b"JFIF\x00\x01"))
_sig("image/jpeg", [0xFF, 0xD8, 0xFF, 0xE1, None, None] + list(b"Exif\x00\x00"))
_sig("image/png", b"\x89PNG\r\n\x1a\n")
_sig("image/apng", b"\x89PNG\r\n\x1a\n")
_sig("image/webp", list(b"RIFF") + [None] * 4 + list(b"WEBP"))
_sig("audio/x-wav", list(b"RIFF") + [None] * 4 + list(b"WAVE"))
_sig("video/x-msvideo", list(b"RIFF") + [None] * 4 + list(b"AVI "))
_sig("image/bmp", b"BM")
for _tail in (b"\x03\x04", b"\x05\x06", b"\x07\x08"):
    _sig("application/zip", b"PK" + _tail)
    _sig("application/java-archive", b"PK" + _tail)
_sig("application/pdf", b"%PDF")
_sig(None, b"%!PS")
_sig("application/xml", b"<?xml ")
_sig("audio/midi", b"MThd")
for _frame in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2", b"ID3"):
    _sig("audio/mpeg", _frame)
_sig("text/plain; charset=UTF-16LE", b"\xff\xfe")
_sig("video/mpeg", b"\x00\x00\x01\xba")
_sig("video/mpeg", b"\x00\x00\x01\xb3")
_sig("image/x-icon", b"\x00\x00\x01\x00")
_sig("video/mpeg", b"\x47")
_sig("application/json", b"{")
_sig("application/json", b"[")


def _tree(offset: int) -> dict:
    """A trie as magic-bytes.js builds one: {"bytes": {byte or "?": node}, "matches": [mime, ...]}."""
    root: dict = {"bytes": {}, "matches": []}
    for sig_offset, pattern, mime in _SIGNATURES:
        if sig_offset != offset:
            continue
        node = root
        for byte in pattern:
            node = node["bytes"].setdefault("?" if byte is None else byte, {"bytes": {}, "matches": []})
        node["matches"].append(mime)
    return root


def _walk(data: bytes, index: int, node: dict) -> list:
    """filetypeinfo's walk: follow the bytes ("?" when there is no exact child), keep the deepest matches."""
    guessed: list = []
    while True:
        byte = data[index] if index < len(data) else None
        if "?" in node["bytes"] and byte not in node["bytes"]:
            node = node["bytes"]["?"]
        else:
            node = node["bytes"].get(byte)
        if node is None:
            return guessed
        if node["matches"]:
            guessed = node["matches"]
        index += 1


def sniff_mime(data: bytes) -> str:
    """extractDataSchema for binary data: the first supported MIME type filetypeinfo gives, else octet-stream."""
    guessed: list = []
    for offset in (4, 0x1000, 0x101, 0x80):
        if offset >= len(data):
            continue
        guessed = _walk(data, offset, _tree(offset))
        if guessed:
            break
    else:
        guessed = _walk(data, 0, _tree(0))
    supported = [mime for mime in guessed if mime in SUPPORTED_MIME_TYPES]
    return supported[0] if supported else "application/octet-stream"


def extract_schema(data: dict) -> dict:
    schema: dict = {}
    for key, value in data.items():
        if isinstance(value, bytes):
            schema[key] = sniff_mime(value)
        elif isinstance(value, bool):
            schema[key] = "bool"
        elif isinstance(value, float):
            schema[key] = "f64"
        elif isinstance(value, int):
            schema[key] = "i128"
        elif isinstance(value, str):
            schema[key] = "string"
        else:
            schema[key] = extract_schema(value)
    return schema


def schema_paths(schema: dict, prefix: str = "") -> list[str]:
    paths: list[str] = []
    for key, entry in schema.items():
        if isinstance(entry, dict):
            paths += schema_paths(entry, f"{prefix}{key}.")
        else:
            paths.append(f"{prefix}{key}:{entry}")
    return sorted(paths)


# ---------------------------------------------------------------------------
# Fixture encodings
# ---------------------------------------------------------------------------


def tagged(value: Any) -> Any:
    """The fixture's exact form of a value: {"object": [[key, value], ...]} keeps the insertion order."""
    if isinstance(value, dict):
        return {"object": [[key, tagged(member)] for key, member in value.items()]}
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, float):
        return {"f64": repr(value)}
    if isinstance(value, int):
        return {"i128": str(value)}
    if isinstance(value, str):
        return {"string": value}
    return {"binary": "0x" + value.hex()}


def record(value: Any) -> Any:
    """The JSON record form Clave's CLI reads: $bigint for i128, $base64 for binary."""
    if isinstance(value, dict):
        return {key: record(member) for key, member in value.items()}
    if isinstance(value, bool) or isinstance(value, float) or isinstance(value, str):
        return value
    if isinstance(value, int):
        return {"$bigint": str(value)}
    return {"$base64": base64.b64encode(value).decode("ascii")}


# ---------------------------------------------------------------------------
# Sample objects
# ---------------------------------------------------------------------------


def _png(rng: random.Random) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        import zlib

        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)) + rng.randbytes(40)


def binary_samples(rng: random.Random) -> dict:
    riff = lambda kind: b"RIFF" + struct.pack("<I", 100) + kind + rng.randbytes(20)  # noqa: E731
    return {
        "png": _png(rng),
        "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + rng.randbytes(30),
        "jpegJfif": bytes([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10]) + b"JFIF\x00\x01\x01" + rng.randbytes(20),
        "jpegExif": bytes([0xFF, 0xD8, 0xFF, 0xE1, 0x12, 0x34]) + b"Exif\x00\x00" + rng.randbytes(20),
        "jpegRaw": bytes([0xFF, 0xD8, 0xFF, 0xDB]) + rng.randbytes(20),
        "jpegIcc": bytes([0xFF, 0xD8, 0xFF, 0xE2]) + rng.randbytes(20),
        "gif87": b"GIF87a" + rng.randbytes(10),
        "gif89": b"GIF89a" + rng.randbytes(10),
        "gifBroken": b"GIF8x" + rng.randbytes(10),
        "mpegTs": b"G" + rng.randbytes(10),
        "mpegPs": b"\x00\x00\x01\xba" + rng.randbytes(10),
        "mpegVideo": b"\x00\x00\x01\xb3" + rng.randbytes(10),
        "ico": b"\x00\x00\x01\x00" + rng.randbytes(10),
        "bmp": b"BM" + rng.randbytes(30),
        "webp": riff(b"WEBP"),
        "wav": riff(b"WAVE"),
        "avi": riff(b"AVI "),
        "riffOther": riff(b"CDXA"),
        "zip": b"PK\x03\x04" + rng.randbytes(20),
        "mp3Id3": b"ID3\x04\x00" + rng.randbytes(20),
        "mp3Frame": b"\xff\xfb\x90" + rng.randbytes(20),
        "utf16": b"\xff\xfe" + "text".encode("utf-16-le"),
        "midi": b"MThd\x00\x00\x00\x06" + rng.randbytes(10),
        "xml": b'<?xml version="1.0"?><svg/>',
        "svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        "json": b'{"a": 1}',
        "text": b"hello world",
        "mp4": b"\x00\x00\x00\x18ftypisom" + rng.randbytes(20),
        "heic": b"\x00\x00\x00\x18ftypheic" + rng.randbytes(20),
        "mov": b"\x00\x00\x00\x14ftypqt  " + rng.randbytes(20),
        "movFree": b"\x00\x00\x00\x08free" + rng.randbytes(20),
        "tar": b"a.txt" + b"\x00" * 252 + b"ustar\x0000" + rng.randbytes(300),
        "dicomPng": b"\x89PNG\r\n\x1a\n" + b"\x00" * 120 + b"DICM" + rng.randbytes(10),
        "machO": b"%PDF" + b"\x00" * (0x1000 - 4) + bytes([0xFE, 0xED, 0xFA, 0xCE]) + b"\x00",
        "tiny": b"B",
        "empty": b"",
        "random": bytes([0x01, 0x01, 0x01, 0x01]) + rng.randbytes(50),
    }


def sample_objects(rng: random.Random) -> list[tuple[str, dict]]:
    return [
        ("one string", {"email": "alice@example.com"}),
        (
            "every scalar",
            {
                "yes": True,
                "no": False,
                "zero": 0.0,
                "negativeZero": -0.0,
                "tenth": 0.1,
                "large": -1.5e300,
                "tiny": 5e-324,
                "integerLike": 42.0,
                "maxSafe": 9007199254740991.0,
                "big0": 0,
                "big1": 1,
                "bigMinus1": -1,
                "bigMax": I128_MAX,
                "bigMin": I128_MIN,
                "bigNegative": -12345678901234567890123456789,
                "emptyString": "",
                "ascii": "hello world",
                "unicode": "héllo ✓ 日本 😀 \u0000 \n \"quoted\"",
                "long": "x" * 300,
            },
        ),
        (
            "nested",
            {
                "name": "Alice",
                "contact": {"email": "alice@example.com", "address": {"city": "Lyon", "zip": "69001"}},
                "age": 42.0,
                "balance": -7,
                "deep": {"a": {"b": {"c": {"d": {"e": True}}}}},
            },
        ),
        (
            "array-index keys",
            {
                "b": 1.0,
                "10": "ten",
                "2": {"x": True, "1": "one", "0": 0},
                "a": {"1": False, "z": "zed"},
                "0": 0,
                "007": "not an index",
                "4294967295": "not an index either",
                "4294967294": "the largest index",
            },
        ),
        ("binary data", {"files": binary_samples(rng), "note": "every sniffing case"}),
        (
            "keys of every allowed character",
            {"azertyuiopqsdfghjklmwxcvbnAZERTYUIOPQSDFGHJKLMWXCVBN0123456789-_": "value", "-": {"_": 1.25}},
        ),
        ("large binary", {"blob": rng.randbytes(20_003), "kind": "random"}),
    ]


def gen_protected_data() -> dict:
    rng = random.Random(0x50444154)
    borsh_cases = []
    for value in [True, False, 0.0, -0.0, 1.0, -2.5, 0.1, 1e300, 5e-324, float(2**53), 0, 1, -1, 255, -256,
                  2**64, -(2**64), I128_MAX, I128_MIN, "", "a", "héllo ✓ 😀", "x" * 1000]:
        kind = {bool: "bool", float: "f64", int: "i128", str: "string"}[type(value)]
        borsh_cases.append({"type": kind, "value": tagged(value)[kind], "borsh": "0x" + borsh_bytes(value).hex()})

    cases = []
    for name, data in sample_objects(rng):
        entries = zip_entries(data)
        archive = jszip_layout(entries)
        # Read it back with zipfile: same names in order, same contents, CRCs good.
        with zipfile.ZipFile(io.BytesIO(archive)) as check_zip:
            _check(check_zip.testzip() is None, "CRCs")
            _check([info.filename for info in check_zip.infolist()] == [n for n, _ in entries], "order")
            for entry_name, contents in entries:
                _check(check_zip.read(entry_name) == (contents or b""), "contents")
        schema = extract_schema(data)
        cases.append(
            {
                "name": name,
                "value": tagged(data),
                "record": json.dumps(record(data), ensure_ascii=False),
                "schema": json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
                "paths": schema_paths(schema),
                "entries": [{"name": n, "contents": None if c is None else "0x" + c.hex()} for n, c in entries],
                "zip": "0x" + archive.hex(),
            }
        )

    streamed = []
    for key, data in [("file", _png(rng) + rng.randbytes(5000)), ("empty", b""), ("doc", b"%PDF-1.4" + rng.randbytes(3))]:
        archive = jszip_streamed_layout(key, data)
        with zipfile.ZipFile(io.BytesIO(archive)) as check_zip:
            _check(check_zip.testzip() is None and check_zip.read(key) == data, "streamed entry")
        streamed.append(
            {
                "key": key,
                "contents": "0x" + data.hex(),
                "schema": json.dumps({key: sniff_mime(data)}, separators=(",", ":")),
                "zip": "0x" + archive.hex(),
            }
        )
    return {"borsh": borsh_cases, "objects": cases, "streamed": streamed}


# ---------------------------------------------------------------------------
# iExec's AES-256-CBC layout
# ---------------------------------------------------------------------------


def gen_iexec_aes_cbc() -> list:
    rng = random.Random(0x43424321)
    cases = []
    for length in [0, 1, 15, 16, 17, 31, 32, 33, 100, 1000, 4101, 65536, 65537]:
        key = rng.randbytes(32)
        iv = rng.randbytes(16)
        plaintext = rng.randbytes(length)
        padder = crypto_padding.PKCS7(128).padder()
        padded = padder.update(plaintext) + padder.finalize()
        encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        ciphertext = encryptor.update(padded) + encryptor.finalize()
        _check(
            ciphertext == PyCryptodomeAES.new(key, PyCryptodomeAES.MODE_CBC, iv=iv).encrypt(pycryptodome_pad(plaintext, 16)),
            "cryptography and pycryptodome agree",
        )
        encrypted = iv + ciphertext
        cases.append(
            {
                "key": "0x" + key.hex(),
                "keyBase64": base64.b64encode(key).decode("ascii"),
                "iv": "0x" + iv.hex(),
                "plaintext": "0x" + plaintext.hex(),
                "encrypted": "0x" + encrypted.hex(),
                "checksum": "0x" + hashlib.sha256(encrypted).hexdigest(),
            }
        )
    return cases
