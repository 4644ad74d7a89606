"""Make Pagefind's bundle byte-identical for the same pages.

Pagefind 1.x builds its filter indexes from hash maps with a random seed (its
own source says "TODO: Change filter indexes to BTree to give them a stable
hash"), so the order of the values in each `filter/*.pf_filter` file, the
order of the filters in the `pagefind.*.pf_meta` file, and so every one of
their names, change from one run to the next. Everything else it writes is
already stable for pages given in a stable order.

`stable_bundle` puts that right after the fact: each filter file is decoded
(gzip, the `pagefind_dcd` signature, then CBOR), its values sorted, encoded
again and named by a hash of its bytes; the meta file gets the filters sorted
by name with their new names, and a new name of its own, which
`pagefind-entry.json` is pointed at. The files keep Pagefind's layout and
naming scheme, so its own `pagefind.js` reads them as it reads its own. If
the bundle is not in the shape this expects (a future Pagefind), it is left
as Pagefind wrote it and the caller is told.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import struct
from typing import Any

__all__ = ["stable_bundle", "BundleShapeError"]

_SIGNATURE = b"pagefind_dcd"
_FILTER = re.compile(r"^filter/(?P<hash>(?P<lang>[\w-]+)_[0-9a-f]+)\.pf_filter$")
_META = re.compile(r"^pagefind\.(?P<hash>(?P<lang>[\w-]+)_[0-9a-f]+)\.pf_meta$")


class BundleShapeError(ValueError):
    """Raised when Pagefind's files are not in the shape `stable_bundle` knows."""


# --- a minimal CBOR (RFC 8949) codec: what minicbor writes for Pagefind's indexes --------

def _decode(buf: bytes, i: int) -> tuple[Any, int]:
    if i >= len(buf):
        raise BundleShapeError("CBOR ends early")
    head = buf[i]
    major, info = head >> 5, head & 31
    i += 1
    if major == 7:
        simple = {20: False, 21: True, 22: None}
        if info in simple:
            return simple[info], i
        if info == 27:
            return struct.unpack(">d", buf[i:i + 8])[0], i + 8
        raise BundleShapeError(f"unexpected CBOR simple value {info}")
    if info < 24:
        arg = info
    elif info <= 27:
        size = 1 << (info - 24)
        arg = int.from_bytes(buf[i:i + size], "big")
        i += size
    else:
        raise BundleShapeError("indefinite-length CBOR is not expected")
    if major == 0:
        return arg, i
    if major == 1:
        return -1 - arg, i
    if major in (2, 3):
        raw = buf[i:i + arg]
        if len(raw) != arg:
            raise BundleShapeError("CBOR string ends early")
        return (bytes(raw) if major == 2 else raw.decode("utf-8")), i + arg
    if major == 4:
        out = []
        for _ in range(arg):
            item, i = _decode(buf, i)
            out.append(item)
        return out, i
    if major == 5:
        pairs = []
        for _ in range(arg):
            k, i = _decode(buf, i)
            v, i = _decode(buf, i)
            pairs.append((k, v))
        return _Map(pairs), i
    raise BundleShapeError(f"unexpected CBOR major type {major}")


class _Map(list):
    """A CBOR map, kept as its (key, value) pairs in order."""


def _head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([major << 5 | info]) + arg.to_bytes(size, "big")
    raise BundleShapeError("CBOR integer too large")


def _encode(obj: Any) -> bytes:
    if obj is False:
        return b"\xf4"
    if obj is True:
        return b"\xf5"
    if obj is None:
        return b"\xf6"
    if isinstance(obj, int):
        return _head(0, obj) if obj >= 0 else _head(1, -1 - obj)
    if isinstance(obj, float):
        return b"\xfb" + struct.pack(">d", obj)
    if isinstance(obj, bytes):
        return _head(2, len(obj)) + obj
    if isinstance(obj, str):
        raw = obj.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(obj, _Map):
        return _head(5, len(obj)) + b"".join(_encode(k) + _encode(v) for k, v in obj)
    if isinstance(obj, list):
        return _head(4, len(obj)) + b"".join(_encode(x) for x in obj)
    raise BundleShapeError(f"cannot encode {type(obj).__name__}")


def _unpack(data: bytes) -> Any:
    raw = gzip.decompress(data)
    if not raw.startswith(_SIGNATURE):
        raise BundleShapeError("a Pagefind file lacks its signature")
    obj, end = _decode(raw, len(_SIGNATURE))
    if end != len(raw):
        raise BundleShapeError("trailing bytes after the CBOR value")
    if _encode(obj) != raw[len(_SIGNATURE):]:
        raise BundleShapeError("the CBOR does not round-trip")
    return obj


def _pack(obj: Any) -> tuple[bytes, bytes]:
    """(raw CBOR, gzipped file) for `obj`; gzip without a timestamp, as Pagefind writes it."""
    raw = _encode(obj)
    return raw, gzip.compress(_SIGNATURE + raw, compresslevel=9, mtime=0)


def _name(lang: str, raw: bytes, length: int, taken: set[str]) -> str:
    digest = hashlib.sha256(raw).hexdigest()
    while f"{lang}_{digest[:length]}" in taken and length < len(digest):
        length += 1
    return f"{lang}_{digest[:length]}"


# --- the bundle ------------------------------------------------------------------------------

def stable_bundle(files: dict[str, bytes]) -> dict[str, bytes]:
    """`files` (paths inside the bundle folder) with filters and meta in a stable order."""
    metas = [m for m in map(_META.match, files) if m]
    filters = [m for m in map(_FILTER.match, files) if m]
    if not filters:
        return dict(files)
    if len(metas) != 1 or "pagefind-entry.json" not in files:
        raise BundleShapeError("expected one meta file and pagefind-entry.json")
    meta_match = metas[0]
    lang = meta_match["lang"]
    out = {p: b for p, b in files.items() if not _FILTER.match(p) and not _META.match(p)}
    renamed: dict[str, str] = {}
    taken: set[str] = set()
    for m in sorted(filters, key=lambda m: m.string):
        obj = _unpack(files[m.string])
        if not (isinstance(obj, list) and len(obj) == 2 and isinstance(obj[1], list)):
            raise BundleShapeError("a filter index is not [name, values]")
        obj[1].sort(key=lambda v: _encode(v[0]) if isinstance(v, list) and v else b"")
        raw, data = _pack(obj)
        name = _name(m["lang"], raw, 7, taken)
        taken.add(name)
        renamed[m["hash"]] = name
        out[f"filter/{name}.pf_filter"] = data
    meta = _unpack(files[meta_match.string])
    slots = [i for i, x in enumerate(meta) if isinstance(x, list) and x
             and all(isinstance(f, list) and len(f) == 2 and f[1] in renamed for f in x)]
    if len(slots) != 1:
        raise BundleShapeError("cannot find the filter list in the meta file")
    listed = meta[slots[0]]
    for f in listed:
        f[1] = renamed[f[1]]
    listed.sort(key=lambda f: _encode(f[0]))
    raw, data = _pack(meta)
    meta_name = _name(lang, raw, 13, set())
    out[f"pagefind.{meta_name}.pf_meta"] = data
    entry = files["pagefind-entry.json"]
    old = f'"{meta_match["hash"]}"'.encode()
    if entry.count(old) != 1:
        raise BundleShapeError("pagefind-entry.json does not name the meta file once")
    out["pagefind-entry.json"] = entry.replace(old, f'"{meta_name}"'.encode())
    return out
