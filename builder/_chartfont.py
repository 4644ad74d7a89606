"""A metrics-only copy of the chart font, so that vl-convert measures text cheaply.

vl-convert measures every piece of text it lays out (titles, axis labels) by
building a small SVG and laying it out with usvg, which opens the font file, maps
it, parses it and unmaps it again four times per character. With a 19 MB CJK
collection (Noto Sans CJK) that was 2-4 ms per label, most of it in the kernel,
and 80-90 % of a chart's drawing time.

Layout only needs each character's advance width. So the chart stage gives the
engine, first in its font list, a font made here from the installed one: its
character map (the Basic Multilingual Plane) and advance widths, one box-shaped
glyph per distinct width (cmap format 13 maps many characters to one glyph),
12 KB. Vega then measures what it would with the real font (the copy has no
kerning; the charts tested come out byte for byte the same), and the SVG names
the real fonts, as before. Characters beyond the copy are measured as before,
through the engine's fallback; without such a font installed, nothing changes
but the speed.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

__all__ = ["MetricsFont", "metrics_font", "font_files", "FONT_DIRS", "installed_fonts"]

#: Bump when the written font changes: it is part of the folder's name and the family's.
_VERSION = 2
_EXTENSIONS = (".ttf", ".otf", ".ttc", ".otc")


@dataclass(frozen=True)
class MetricsFont:
    """Where the copy is (a folder for `vl_convert.register_font_directory`) and its family."""

    folder: str
    family: str


@dataclass(frozen=True)
class _Face:
    path: str
    offset: int  # of the face's table directory in the file
    weight: int
    italic: bool
    tables: dict  # tag -> (offset, length)


def font_files(roots: Iterable[str]) -> Iterator[str]:
    """Every font file under `roots`, in a stable order."""
    for root in roots:
        for folder, dirs, files in sorted(os.walk(os.path.expanduser(root))):
            dirs.sort()
            for name in sorted(files):
                if name.lower().endswith(_EXTENSIONS):
                    yield os.path.join(folder, name)


# --- Reading ----------------------------------------------------------------------------------

def _u16(b: bytes, at: int) -> int:
    return struct.unpack_from(">H", b, at)[0]


def _u32(b: bytes, at: int) -> int:
    return struct.unpack_from(">I", b, at)[0]


def _faces(path: str) -> list[_Face]:
    with open(path, "rb") as f:
        head = f.read(12)
        if head[:4] == b"ttcf":
            count = _u32(head, 8)
            offsets = list(struct.unpack(f">{count}I", f.read(4 * count)))
        else:
            offsets = [0]
        faces = []
        for at in offsets:
            f.seek(at)
            n = _u16(f.read(12), 4)
            records = f.read(16 * n)
            tables = {records[i:i + 4].decode("latin-1"): (_u32(records, i + 8), _u32(records, i + 12))
                      for i in range(0, 16 * n, 16)}
            if not {"cmap", "hmtx", "hhea", "head", "name", "OS/2"} <= tables.keys():
                continue
            os2 = _read(f, tables["OS/2"])
            faces.append(_Face(path, at, _u16(os2, 4), bool(_u16(os2, 62) & 0x201), tables))
        return faces


def _read(f, where: tuple[int, int]) -> bytes:
    f.seek(where[0])
    return f.read(where[1])


def _families(name: bytes) -> set[str]:
    """The family names fontdb matches: name id 16 where the face has it, else 1."""
    count, strings = _u16(name, 2), _u16(name, 4)
    found: dict[int, set[str]] = {1: set(), 16: set()}
    for i in range(count):
        platform, encoding, _, nid, length, at = struct.unpack_from(">6H", name, 6 + 12 * i)
        if nid not in found:
            continue
        raw = name[strings + at:strings + at + length]
        if platform in (0, 3):
            found[nid].add(raw.decode("utf-16-be", errors="replace"))
        elif platform == 1 and encoding == 0:
            found[nid].add(raw.decode("mac-roman", errors="replace"))
    return found[16] or found[1]


def _cmap(data: bytes) -> dict[int, int]:
    """Code point -> glyph, from the face's Unicode subtable (format 12 or 13, else 4)."""
    records = {}
    for i in range(_u16(data, 2)):
        platform, encoding, at = struct.unpack_from(">HHI", data, 4 + 8 * i)
        records[(platform, encoding)] = at
    for pe in ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3), (0, 1), (0, 0)):
        fmt = _u16(data, records[pe]) if pe in records else None
        if fmt in (12, 13):
            return _cmap12(data, records[pe], fmt == 13)
        if fmt == 4:
            return _cmap4(data, records[pe])
    return {}


def _cmap12(data: bytes, at: int, many_to_one: bool) -> dict[int, int]:
    out = {}
    for i in range(_u32(data, at + 12)):
        start, end, glyph = struct.unpack_from(">3I", data, at + 16 + 12 * i)
        glyphs = [glyph] * (end - start + 1) if many_to_one else range(glyph, glyph + end - start + 1)
        out.update(zip(range(start, end + 1), glyphs, strict=True))
    return out


def _cmap4(data: bytes, at: int) -> dict[int, int]:
    segs = _u16(data, at + 6) // 2
    ends, starts = at + 14, at + 16 + 2 * segs
    deltas, ranges = starts + 2 * segs, starts + 4 * segs
    out = {}
    for s in range(segs):
        end, start = _u16(data, ends + 2 * s), _u16(data, starts + 2 * s)
        delta, rng = struct.unpack_from(">h", data, deltas + 2 * s)[0], _u16(data, ranges + 2 * s)
        for cp in range(start, min(end, 0xFFFE) + 1):
            if rng:
                g = _u16(data, ranges + 2 * s + rng + 2 * (cp - start))
                g = (g + delta) & 0xFFFF if g else 0
            else:
                g = (cp + delta) & 0xFFFF
            if g:
                out[cp] = g
    return out


def _advances(f, face: _Face) -> dict[int, int]:
    """Code point -> advance width, in font units."""
    cmap = _cmap(_read(f, face.tables["cmap"]))
    n = _u16(_read(f, face.tables["hhea"]), 34)
    hmtx = _read(f, face.tables["hmtx"])
    widths = [_u16(hmtx, 4 * i) for i in range(n)]
    return {cp: widths[min(g, n - 1)] for cp, g in cmap.items()}


# --- Writing ----------------------------------------------------------------------------------

def _checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def _name_table(family: str, style: str) -> bytes:
    names = {1: family, 2: style, 4: f"{family} {style}",
             6: re.sub(r"[^A-Za-z0-9]", "", family) + "-" + style}
    records, blob = b"", b""
    for nid, text in names.items():
        raw = text.encode("utf-16-be")
        records += struct.pack(">6H", 3, 1, 0x409, nid, len(raw), len(blob))
        blob += raw
    return struct.pack(">3H", 0, len(names), 6 + len(records)) + records + blob


def _font(advances: dict[int, int], face_tables: dict[str, bytes], family: str, bold: bool) -> bytes:
    """A TrueType font: the advances of `advances`, one box glyph per distinct width."""
    widths = sorted(set(advances.values()))
    glyph_of = {w: i + 1 for i, w in enumerate(widths)}  # glyph 0 is .notdef
    groups: list[list[int]] = []
    for cp in sorted(advances):
        g = glyph_of[advances[cp]]
        if groups and groups[-1][1] == cp - 1 and groups[-1][2] == g:
            groups[-1][1] = cp
        else:
            groups.append([cp, cp, g])
    sub = struct.pack(">HHIII", 13, 0, 16 + 12 * len(groups), 0, len(groups)) + \
        b"".join(struct.pack(">3I", *grp) for grp in groups)
    n = len(widths) + 1
    # A 1x1 box (usvg gives a text no bounding box when its glyphs have no outline), its
    # points (0,0) (0,1) (1,1) (1,0) as one-byte or repeated coordinates: 24 bytes a glyph.
    box = struct.pack(">h4hHH4B3B", 1, 0, 0, 1, 1, 3, 0, 0x31, 0x35, 0x33, 0x15, 1, 1, 1)
    box += b"\0" * (-len(box) % 4)
    upem = _u16(face_tables["head"], 18)
    hhea = bytearray(face_tables["hhea"][:36])
    struct.pack_into(">H", hhea, 10, max(widths))  # advanceWidthMax
    struct.pack_into(">3h", hhea, 12, 0, 0, 1)  # min side bearings, max extent
    struct.pack_into(">H", hhea, 34, n)  # numberOfHMetrics
    head = struct.pack(">IIIIHHQQhhhhHHhhh", 0x00010000, 0x00010000, 0, 0x5F0F3CF5, 0x000B, upem,
                       0, 0, 0, 0, 1, 1, 1 if bold else 0, 8, 2, 1, 0)
    maxp = struct.pack(">I14H", 0x00010000, n, 4, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0)
    tables = {
        "OS/2": face_tables["OS/2"], "cmap": struct.pack(">HHHHI", 0, 1, 3, 10, 12) + sub,
        "glyf": box * (n - 1), "head": head, "hhea": bytes(hhea),
        "hmtx": struct.pack(">HH", upem, 0) + b"".join(struct.pack(">Hh", w, 0) for w in widths),
        "maxp": maxp, "name": _name_table(family, "Bold" if bold else "Regular"),
        "post": struct.pack(">IIhhIIIII", 0x00030000, 0, -100, 50, 0, 0, 0, 0, 0),
    }
    # loca: glyph 0 (.notdef) is empty, every other glyph is a box of its own.
    tables["loca"] = struct.pack(f">{n + 1}I", 0, *(len(box) * i for i in range(n)))
    tags = sorted(tables)
    offset = 12 + 16 * len(tags)
    directory, body = b"", b""
    for tag in tags:
        data = tables[tag]
        directory += struct.pack(">4sIII", tag.encode(), _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    shift = max(i for i in range(8) if 1 << i <= len(tags))
    header = struct.pack(">IHHHH", 0x00010000, len(tags), 16 << shift, shift,
                         16 * len(tags) - (16 << shift))
    font = bytearray(header + directory + body)
    head_at = offset + sum(len(tables[t]) + (-len(tables[t]) % 4) for t in tags[:tags.index("head")])
    struct.pack_into(">I", font, head_at + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


# --- Finding the font and writing its copy ------------------------------------------------------

def _first_installed(families: list[str], files: Iterable[str]) -> list[_Face]:
    """The upright faces of the first family in `families` that is installed."""
    by_family: dict[str, list[_Face]] = {}
    for path in files:
        try:
            for face in _faces(path):
                with open(path, "rb") as f:
                    names = _families(_read(f, face.tables["name"]))
                for fam in names & set(families):
                    by_family.setdefault(fam, []).append(face)
        except (OSError, struct.error, IndexError, UnicodeDecodeError):
            continue  # not a font we can read: the engine would skip it too
    for fam in families:
        faces = [f for f in by_family.get(fam, []) if not f.italic]
        if faces:
            seen: dict[int, _Face] = {}
            for face in faces:  # one face per weight, the first found (fontdb's order)
                seen.setdefault(face.weight, face)
            return [seen[w] for w in sorted(seen)]
    return []


@functools.lru_cache(maxsize=8)
def _installed(families: tuple[str, ...], roots: tuple[str, ...]) -> tuple[_Face, ...]:
    # Once per process, as the chart cache key reads the installed fonts once (`chart._fonts`):
    # a desktop has thousands of font files to open.
    return tuple(_first_installed(list(families), font_files(roots)))


def metrics_font(families: list[str], roots: Iterable[str], home: Path) -> MetricsFont | None:
    """The metrics copy of the first installed family in `families`, written under `home`
    unless it is there already; None when none of them is installed."""
    faces = _installed(tuple(families), tuple(roots))
    if not faces:
        return None
    stamp = "\n".join(f"{f.path}:{f.offset}:{os.path.getsize(f.path)}:{os.path.getmtime(f.path)}"
                      for f in faces)
    digest = hashlib.sha256(f"{_VERSION}\n{stamp}".encode()).hexdigest()[:12]
    # Letters only: the engine reads a word that starts with a digit as no family at all.
    family = "Bulletin Metrics " + digest.translate(str.maketrans("0123456789", "ghijklmnop"))
    base = Path(home)
    folder = base / f"metrics-{digest}"
    if not folder.is_dir():
        fonts = []
        for face in faces:
            with open(face.path, "rb") as f:
                tables = {t: _read(f, face.tables[t]) for t in ("head", "hhea", "OS/2")}
                # The Basic Multilingual Plane: beyond it (CJK Extension B, emoji) are
                # 2,000 runs of rare characters, three times the size, and every size
                # costs on each of the engine's reads. Those the engine measures with
                # the fonts themselves.
                advances = {cp: w for cp, w in _advances(f, face).items() if cp < 0x10000}
            fonts.append((face.weight, _font(advances, tables, family, face.weight >= 600)))
        base.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".metrics.", dir=base))
        try:
            for weight, data in fonts:
                (tmp / f"metrics-{weight}.ttf").write_bytes(data)
            os.replace(tmp, folder)
        except OSError:  # another build wrote it first, or the disk is full: leave nothing half
            shutil.rmtree(tmp, ignore_errors=True)
            if not folder.is_dir():
                raise
    return MetricsFont(str(folder), family)


FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts",
              "/System/Library/Fonts", "/Library/Fonts", "~/Library/Fonts", "C:/Windows/Fonts")


@functools.lru_cache(maxsize=1)
def installed_fonts() -> str:
    """The system fonts the engine measures text with (file names and sizes): installing
    fonts-noto-cjk changes every layout, so it must change every key."""
    found = []
    for root in FONT_DIRS:
        for folder, _, files in os.walk(os.path.expanduser(root)):
            for name in files:
                try:
                    found.append(f"{folder}/{name}:{os.path.getsize(os.path.join(folder, name))}")
                except OSError:  # a dangling link
                    continue
    return hashlib.sha256("\n".join(sorted(found)).encode()).hexdigest()[:16]
