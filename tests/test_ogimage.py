"""Share images: one 1200×630 PNG card per region and per bulletin, with real Chinese glyphs.

The PNGs are decoded here (a small PNG reader: the test needs pixels, not a
library) to check what a person sharing a page would see: a card of the right
size with text on it, the text inside its margins, the Chinese characters drawn
as themselves rather than as empty boxes.
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

from builder.ogimage import Card, card_svg, draw_cards
from builder.session import Session

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "good" / "content"


def decode(png: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGBA bytes) of an 8-bit, non-interlaced RGBA PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat, ihdr = 8, [], None
    while at < len(png):
        n, kind = struct.unpack(">I4s", png[at:at + 8])
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", png[at + 8:at + 8 + n])
        elif kind == b"IDAT":
            idat.append(png[at + 8:at + 8 + n])
        at += 12 + n
    w, h, depth, colour, _, _, interlace = ihdr
    assert (depth, colour, interlace) == (8, 6, 0), ihdr
    raw, stride, bpp = zlib.decompress(b"".join(idat)), w * 4, 4
    prev, rows = bytearray(stride), []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride) if f else ():
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            if f == 1:
                pred = a
            elif f == 2:
                pred = b
            elif f == 3:
                pred = (a + b) >> 1
            else:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
            line[i] = (line[i] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, rows


def ink(rows: list[bytes], x0: int = 0, x1: int | None = None, y0: int = 0,
        y1: int | None = None) -> float:
    """The share of pixels in the box that are dark (text, bars), not paper."""
    x1 = x1 if x1 is not None else len(rows[0]) // 4
    y1 = y1 if y1 is not None else len(rows)
    dark = sum(1 for r in rows[y0:y1] for x in range(x0, x1) if r[4 * x] < 160)
    return dark / ((x1 - x0) * (y1 - y0))


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """One cache for the feed, meta and image tests: each chart and card drawn once."""
    path = tmp_path_factory.getbasetemp() / "discovery-cache"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="module")
def built(cache):
    return Session(FIXTURE, REPO / "site_templates", cache, jobs=1).rebuild()


def test_every_region_and_bulletin_has_a_card_of_the_right_size_with_text(built):
    d = built.derived
    want = {f"regions/{rid}/og.png" for rid in d.regions} | \
        {f"bulletins/{b.slug}/og.png" for b in d.content.bulletins if not b.meta.draft}
    assert want == {r for r in built.files if r.endswith("og.png")}
    for route in sorted(want):
        w, h, rows = decode(built.files[route])
        assert (w, h) == (1200, 630), route
        assert 0.01 < ink(rows) < 0.4, route  # words on paper, neither blank nor a blot
        assert ink(rows, 72, 700, 150, 290) > 0.03, route  # the title is drawn
        assert rows[5][4 * 600:4 * 600 + 3] == bytes.fromhex("0b5cad"), route  # the site's blue band


def test_chinese_is_drawn_with_its_own_glyphs_not_boxes():
    # Without a CJK font, every character comes out as the same empty box (or nothing):
    # two different names of equal length would then give the same image.
    a, b, missing = (Card("", "", title, big=True) for title in ("周口市", "驻马店", "\ue000\ue001\ue002"))
    drawn = draw_cards({"a": a, "b": b, "missing": missing}, None)
    assert drawn["a"] != drawn["b"]
    assert drawn["a"] != drawn["missing"]
    _, _, rows = decode(drawn["a"])
    assert ink(rows, 72, 400, 150, 290) > 0.1  # three bold characters 84 px high


def test_long_titles_and_summaries_wrap_inside_the_margins():
    long_cjk = "周口市重点项目建设进度跑在时序前面，" * 12
    long_latin = "Key construction projects in Zhoukou are ahead of the calendar " * 8
    card = Card("河南省重点项目建设进度 " * 6, "通报 · 2023年4月7日 · 周口市 " * 5, long_cjk + long_latin,
                ("完成年度计划 31.1% · 时序进度 25.0% " * 4,), long_latin + long_cjk, (131.0, 25.0),
                "数据截至 2023年3月31日 " * 8)
    svg = card_svg(card)
    titles = re.findall(r'font-size="58"[^>]*>([^<]*)<', svg)
    assert len(titles) == 3 and titles[-1].endswith("…")
    _, _, rows = decode(draw_cards({"x": card}, None)["x"])
    right = [r[4 * 1150:] for r in rows[20:]]  # the right margin, below the band
    assert all(px == 255 for r in right for px in r), "text ran into the right margin"
    assert ink(rows, 0, 60, 20, 630) == 0  # and the left one


def test_words_from_the_data_are_escaped_and_stripped_of_what_xml_cannot_hold():
    title = 'AT&T <b>"通报"</b> \x01\x0b\x1b]]> 第&#x41;期'
    svg = card_svg(Card("站点 & <名>", "", title, ("x < y & z",), "摘要\x00 & >"))
    root = ET.fromstring(svg)  # well-formed
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert 'AT&T <b>"通报"</b> ]]> 第&#x41;期' in texts
    assert "站点 & <名>" in texts and "x < y & z" in texts
    png = draw_cards({"x": Card("", "", title)}, None)["x"]
    assert decode(png)[:2] == (1200, 630)


def test_cards_are_deterministic_and_kept_in_the_chart_cache(tmp_path):
    cards = {"r/og.png": Card("站点", "地区", "周口市", ("完成年度计划 31.1%",), bar=(31.1, 25.0)),
             "b/og.png": Card("站点", "通报", "一季度通报", (), "摘要")}
    first = draw_cards(cards, tmp_path)
    cached = sorted((tmp_path / "charts").glob("og-*.png"))
    assert len(cached) == 2
    assert draw_cards(cards, tmp_path) == first == draw_cards(cards, None)
    cached[0].write_bytes(cached[0].read_bytes()[:100])  # a damaged cache file is drawn again
    assert draw_cards(cards, tmp_path) == first
    assert all(p.read_bytes() in first.values() for p in cached)


def test_a_rebuild_that_changes_no_card_keeps_every_image(built, cache):
    session = Session(FIXTURE, REPO / "site_templates", cache, jobs=1)
    session.rebuild()
    again = session.rebuild()
    assert not {r for r in again.changed if r.endswith("og.png")}
    assert {r: b for r, b in again.files.items() if r.endswith("og.png")} == \
        {r: b for r, b in built.files.items() if r.endswith("og.png")}

