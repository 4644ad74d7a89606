"""Share images (`og:image`): a 1200×630 PNG card per region and per bulletin.

A card is a little SVG written here (title, key figures, a bar of plan completion
against 时序进度, the data date) and rasterised by vl-convert's `svg_to_png`,
which draws the text with the installed fonts: Chinese needs Debian's
`fonts-noto-cjk` (without it, boxes). Layout is done here, not by Vega: a card
has no axes or scales, and text wrapping needs only each character's width,
estimated from its class (CJK full width, Latin proportional) on the safe side.

Cost: 40-70 ms a card, nearly all of it text layout in the engine; so a PNG is
kept in the chart cache folder (`charts/og-<sha256>.png`, keyed by the SVG, the
engine's version and the installed fonts) and, within a session, by its SVG:
a rebuild that changes no card draws nothing. The bytes are deterministic.

Routes: `regions/<id>/og.png`, `bulletins/<slug>/og.png` (`image_path`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from . import cachefile, urls
from .derive import Derived
from .i18n import Catalog
from .present import Presenter

__all__ = ["Card", "WIDTH", "HEIGHT", "image_path", "cards", "card_svg", "draw_cards", "clean_text",
           "wrap"]

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
_FORMAT = 1  # bump when the SVG a card makes changes in a way its text does not show
_MARGIN = 72
_FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Noto Sans SC', sans-serif"
_INK, _MUTED, _ACCENT, _TINT, _PAPER = "#1d2327", "#50575e", "#0b5cad", "#e6eaee", "#ffffff"
# Characters XML 1.0 cannot hold at all (not even as references): C0 controls but tab,
# newline and return; surrogates; U+FFFE and U+FFFF.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """`text` without the characters XML cannot hold, other controls as spaces."""
    return _ILLEGAL.sub("", text.replace("\r\n", "\n")).replace("\x7f", "")


def _esc(text: str) -> str:
    return (clean_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def image_path(kind: str, key: str) -> str:
    """Where the card of a region or bulletin page is: next to the page."""
    return urls.path_of(kind, key) + "og.png"


@dataclass(frozen=True)
class Card:
    """What one card says; `bar` is (plan completion %, 时序进度 %) when both are known."""

    eyebrow: str  # the site's title
    kicker: str  # what the card is about: a kind, a date, a place
    title: str
    lines: tuple[str, ...] = ()  # figures, one a line
    text: str = ""  # a summary, wrapped below the lines
    bar: tuple[float, float] | None = None
    footer: str = ""
    big: bool = False  # a short title (a region's name), set larger


# --- what each card says -----------------------------------------------------------------------

def _pick(t: Catalog, zh: str | None, en: str | None) -> str:
    return (en if t.lang == "en" and en else zh) or ""


def _region_card(d: Derived, t: Catalog, p: Presenter, rid: str, eyebrow: str) -> Card:
    rv = d.regions[rid]
    r = rv.region
    head = rv.headline
    lines: list[str] = []
    bar = None
    kicker = t.t("nav.regions")
    footer = t.t("footer.as_of", date=t.date(d.content.site.as_of))
    if head is not None:
        rep = head.report
        kicker = " · ".join(x for x in (t.period(rep.period) or str(rep.year),
                                        _pick(t, rep.scope, rep.scope_en)) if x)
        pct, sched = head.plan_completion_pct, head.schedule_pct
        figs = [(t.t("field.plan_completion_pct"), p.fig(pct, "pct")),
                (t.t("field.schedule_pct"), p.fig(sched, "pct"))]
        lines.append(" · ".join(f"{label} {f.text}" for label, f in figs if f.present))
        more = [(t.t("field.project_count"), p.fig(rep.project_count, "count")),
                (t.t("field.completed"), p.fig(rep.completed, "money"))]
        lines.append(" · ".join(f"{label} {f.text}" for label, f in more if f.present))
        if pct is not None and sched is not None and pct.bound is None:
            bar = (float(pct.value), float(sched.value))
        if rep.as_of is not None:
            footer = t.t("report.as_of", date=t.date(rep.as_of))
    else:
        lines.append(t.t("region.projects_n", n=len(rv.projects)))
    return Card(eyebrow, kicker, _pick(t, r.name, r.name_en), tuple(x for x in lines if x),
                _pick(t, r.summary, r.summary_en) if head is None else "", bar, footer, big=True)


def _bulletin_card(d: Derived, t: Catalog, b: Any, eyebrow: str) -> Card:
    m = b.meta
    region = d.content.regions.get(m.region) if m.region else None
    kicker = " · ".join(x for x in (t.t("nav.bulletins"), t.date(m.date),
                                    _pick(t, region.name, region.name_en) if region else "") if x)
    footer = t.t("report.as_of", date=t.date(m.as_of)) if m.as_of else ""
    return Card(eyebrow, kicker, _pick(t, m.title, m.title_en), (),
                _pick(t, m.summary, m.summary_en), None, footer)


def cards(d: Derived, t: Catalog) -> dict[str, Card]:
    """{route: Card} for every region and every published bulletin."""
    site = d.content.site
    p = Presenter(t, site.money_unit, site.sources)
    eyebrow = _pick(t, site.title, site.title_en)
    out = {image_path("region", rid): _region_card(d, t, p, rid, eyebrow) for rid in sorted(d.regions)}
    for b in sorted(d.content.bulletins, key=lambda b: b.slug):
        if not b.meta.draft:
            out[image_path("bulletin", b.slug)] = _bulletin_card(d, t, b, eyebrow)
    return out


# --- layout ------------------------------------------------------------------------------------

def _em(ch: str) -> float:
    """A character's advance in ems, estimated on the wide side (Noto Sans CJK)."""
    if unicodedata.east_asian_width(ch) in "WFA":
        return 1.0
    if ch == " ":
        return 0.25
    if ch in "mwMW@%":
        return 0.9
    if ch.isupper():
        return 0.7
    if ch.isdigit():
        return 0.58
    if ch.isalpha():
        return 0.58
    return 0.45


def _width(text: str, size: float) -> float:
    return sum(_em(c) for c in text) * size


_TOKENS = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,'’%\-]*|\s+|.", re.S)


def wrap(text: str, size: float, width: float, max_lines: int) -> list[str]:
    """`text` in at most `max_lines` lines no wider than `width`; the last one ends in …
    when text is left over. Latin words break at spaces; CJK anywhere."""
    text = " ".join(clean_text(text).split())
    lines: list[str] = []
    line = ""
    tokens = _TOKENS.findall(text)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if _width(line + tok, size) <= width:
            line += tok
            i += 1
            continue
        if not line.strip():  # one word wider than a line: break it anywhere
            cut = 1
            while cut < len(tok) and _width(tok[:cut + 1], size) <= width:
                cut += 1
            line, tokens[i] = tok[:cut], tok[cut:]
        lines.append(line.rstrip())
        line = ""
        if tok.isspace():
            i += 1
        if len(lines) == max_lines:
            break
    else:
        if line.strip():
            lines.append(line.rstrip())
        return lines
    last = lines[-1]
    while last and _width(last + "…", size) > width:
        last = last[:-1]
    lines[-1] = last.rstrip() + "…"
    return lines


def _text(x: float, y: float, size: int, fill: str, text: str, bold: bool = False) -> str:
    weight = ' font-weight="700"' if bold else ""
    return (f'<text x="{x:g}" y="{y:g}" font-size="{size}" fill="{fill}"{weight}>'
            f"{_esc(text)}</text>")


@functools.lru_cache(maxsize=4096)  # a rebuild asks again for every card; few change
def card_svg(card: Card) -> str:
    """The card as SVG text, 1200×630, every word from the data escaped."""
    inner = WIDTH - 2 * _MARGIN
    out = [f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{_PAPER}"/>',
           f'<rect width="{WIDTH}" height="14" fill="{_ACCENT}"/>']
    y = 86.0
    for line in wrap(card.eyebrow, 28, inner, 1):
        out.append(_text(_MARGIN, y, 28, _MUTED, line))
    y += 52
    for line in wrap(card.kicker, 28, inner, 1):
        out.append(_text(_MARGIN, y, 28, _ACCENT, line, bold=True))
    size = 84 if card.big else 58
    title = wrap(card.title, size, inner, 2 if card.big else 3)
    y += size * 0.35
    for line in title:
        y += size * 1.22
        out.append(_text(_MARGIN, y, size, _INK, line, bold=True))
    y += 18
    for line in card.lines:
        for part in wrap(line, 36, inner, 1):
            y += 52
            out.append(_text(_MARGIN, y, 36, _INK, part))
    if card.bar is not None:
        pct, sched = card.bar
        y += 30
        fill = max(0.0, min(pct, 100.0)) / 100 * inner
        mark = _MARGIN + max(0.0, min(sched, 100.0)) / 100 * inner
        out += [f'<rect x="{_MARGIN}" y="{y:g}" width="{inner}" height="30" fill="{_TINT}"/>',
                f'<rect x="{_MARGIN}" y="{y:g}" width="{fill:.1f}" height="30" fill="{_ACCENT}"/>',
                f'<rect x="{mark - 3:.1f}" y="{y - 12:g}" width="6" height="54" fill="{_INK}"/>']
        y += 30
    footer_top = HEIGHT - 64 - (32 if card.footer else 0)
    room = int((footer_top - y - 8) // 46)
    if card.text and room > 0:
        for line in wrap(card.text, 32, inner, min(room, 3)):
            y += 46
            out.append(_text(_MARGIN, y, 32, _MUTED, line))
    if card.footer:
        for line in wrap(card.footer, 26, inner, 1):
            out.append(_text(_MARGIN, HEIGHT - 56, 26, _MUTED, line))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{_FONT}">' + "".join(out) + "</svg>")


# --- drawing and the cache ---------------------------------------------------------------------

def _key(svg: str) -> str:
    from .chart import ENGINE_VERSION, _fonts  # the installed fonts change every drawing
    salt = f"og\0{ENGINE_VERSION}\0{_FORMAT}\0{_fonts()}\0"
    return hashlib.sha256((salt + svg).encode("utf-8")).hexdigest()


def _cache_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / "charts" / f"og-{key}.png"


def _read(cache_dir: Path | None, key: str) -> bytes | None:
    if cache_dir is None:
        return None
    # a whole PNG: signature first, IEND chunk last (else draw it again)
    return cachefile.read(_cache_path(cache_dir, key), lambda data: data.startswith(
        b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82"))


def _write(cache_dir: Path | None, key: str, data: bytes) -> None:
    if cache_dir is not None:
        cachefile.write(_cache_path(cache_dir, key), data, "a share image")


#: Misses drawn in a process of their own (with `jobs > 1`) from this many: the engine holds
#: the GIL while it draws, which would stall the threads that feed the chart workers.
_PROCESS_MIN = 8
_DRAWER = ("import json, sys, vl_convert\n"
           "for svg in json.load(sys.stdin):\n"
           "    png = bytes(vl_convert.svg_to_png(svg))\n"
           "    sys.stdout.buffer.write(len(png).to_bytes(8, 'big') + png)\n")


def _draw_apart(svgs: list[str]) -> list[bytes] | None:
    """The PNGs drawn by another interpreter (None if it fails: they are drawn here)."""
    try:
        proc = subprocess.run([sys.executable, "-c", _DRAWER], capture_output=True,
                              input=json.dumps(svgs, ensure_ascii=False).encode("utf-8"))
    except OSError as err:
        log.warning("drawing the share images here: %s", err)
        return None
    out, at, data = [], 0, proc.stdout
    while proc.returncode == 0 and at + 8 <= len(data):
        n = int.from_bytes(data[at:at + 8], "big")
        out.append(data[at + 8:at + 8 + n])
        at += 8 + n
    return out if len(out) == len(svgs) and at == len(data) else None


def draw_cards(wanted: Mapping[str, Card], cache_dir: Path | None,
               memo: dict[str, bytes] | None = None, jobs: int = 1) -> dict[str, bytes]:
    """{route: PNG bytes}; `memo` (SVG key -> PNG, kept by the caller between builds) and
    the cache folder spare the drawing of every card drawn before. With `jobs > 1`, many
    misses are drawn in another process (the same bytes)."""
    import vl_convert

    cache = Path(cache_dir) if cache_dir is not None else None
    memo = {} if memo is None else memo
    svgs = {route: card_svg(card) for route, card in wanted.items()}
    keys = {route: _key(svg) for route, svg in svgs.items()}
    found = {key: png for key in dict.fromkeys(keys.values())
             if (png := memo.get(key) or _read(cache, key)) is not None}
    misses = {key: svgs[route] for route, key in keys.items() if key not in found}
    drawn = _draw_apart(list(misses.values())) \
        if jobs > 1 and len(misses) >= _PROCESS_MIN else None
    for key, png in zip(misses, drawn or [bytes(vl_convert.svg_to_png(s)) for s in misses.values()]):
        _write(cache, key, png)
        found[key] = png
    out = {route: found[key] for route, key in keys.items()}
    memo.clear()
    memo.update((key, found[key]) for key in keys.values())
    return out
