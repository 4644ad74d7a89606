"""The metrics-only copy of the chart font that the chart engine measures text with."""

from __future__ import annotations

import shutil
import struct

import pytest

from builder import _chartfont as F
from builder.chart import _FONT_DIRS

CJK = "Noto Sans CJK SC"


def _read_back(path: str) -> tuple[int, dict[int, int]]:
    """(weight, advances) of a font file, read with the module's own reader."""
    (face,) = F._faces(path)
    with open(path, "rb") as f:
        return face.weight, F._advances(f, face)


def _installed() -> list:
    faces = F._first_installed([CJK], F.font_files(_FONT_DIRS))
    if not faces:
        pytest.skip(f"{CJK} is not installed")
    return faces


def test_the_copy_has_every_advance_width_of_each_weight_and_is_small(tmp_path):
    faces = _installed()
    font = F.metrics_font([CJK], _FONT_DIRS, tmp_path)
    assert font is not None and font.family.startswith("Bulletin Metrics ")
    assert not any(ch.isdigit() for ch in font.family)  # the engine would not match it
    files = sorted(p for p in (tmp_path / font.folder).iterdir())
    assert len(files) == len(faces)
    for face, path in zip(faces, files, strict=True):
        with open(face.path, "rb") as f:
            source = F._advances(f, face)
        weight, copy = _read_back(str(path))
        # The Basic Multilingual Plane; the rest (CJK Extension B) the engine reads as before.
        assert weight == face.weight and copy == {cp: w for cp, w in source.items() if cp < 0x10000}
        assert copy[ord("项")] == 1000 and len(copy) > 20_000
        assert path.stat().st_size < 20_000  # the source is a 19 MB collection


def test_the_copy_is_written_once_and_again_the_same_when_removed(tmp_path):
    _installed()
    font = F.metrics_font([CJK], _FONT_DIRS, tmp_path)
    first = {p.name: p.read_bytes() for p in sorted((tmp_path / font.folder).iterdir())}
    assert F.metrics_font([CJK], _FONT_DIRS, tmp_path) == font
    shutil.rmtree(font.folder)
    assert F.metrics_font([CJK], _FONT_DIRS, tmp_path) == font
    assert {p.name: p.read_bytes() for p in sorted((tmp_path / font.folder).iterdir())} == first
    assert [p.name for p in tmp_path.iterdir()] == [tmp_path.joinpath(font.folder).name]


def test_without_any_of_the_families_there_is_no_copy(tmp_path):
    assert F.metrics_font(["No Such Family"], _FONT_DIRS, tmp_path) is None
    assert F.metrics_font([CJK], [str(tmp_path)], tmp_path) is None
    assert not list(tmp_path.iterdir())


def test_a_font_made_here_reads_back_whatever_is_installed(tmp_path):
    """The writer on its own: many characters share a glyph per width (cmap format 13)."""
    advances = {**{cp: 1000 for cp in range(0x4E00, 0x4E80)}, 0x41: 600, 0x42: 580, 0x43: 600}
    head = bytearray(54)
    struct.pack_into(">H", head, 18, 1000)  # unitsPerEm
    hhea = bytearray(36)
    struct.pack_into(">hh", hhea, 4, 880, -120)
    os2 = bytearray(96)
    struct.pack_into(">H", os2, 4, 700)  # usWeightClass
    data = F._font(advances, {"head": bytes(head), "hhea": bytes(hhea), "OS/2": bytes(os2)},
                   "Bulletin Metrics Test", True)
    path = tmp_path / "t.ttf"
    path.write_bytes(data)
    assert _read_back(str(path)) == (700, advances)
    assert len(data) < 2_000
    assert F._checksum(data) == 0xB1B0AFBA  # checkSumAdjustment makes the whole font add up
