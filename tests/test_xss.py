"""Every string field of every record kind carries an attack; nothing of it is live in the site.

`xss_content()` writes a small site in which every text field the model
declares (found by walking `builder.model`, so a new field is covered or this
test fails) holds a payload: a `<script>`, an `<img onerror>`, an `<svg
onload>`, a custom `<x-xss>` element, both quotes and an ampersand, and a
leading `=`, `+`, `-` or `@` (a spreadsheet formula). `bulletin build` must
build it, and then:

- no HTML page has an element, attribute or script that came from the data;
- every chart SVG parses as XML and holds only drawing elements;
- the feeds and the sitemap parse as XML, with the payload as text only;
- the JSON downloads parse, with the payload as data, byte for byte;
- no CSV cell starts with = + - @ (Excel would run it): text cells that do are
  prefixed with an apostrophe, numbers are left as numbers.

The browser half (no script runs, no dialog opens, no CSP violation) is
tests/browser/test_xss_browser.py, on the same site.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html.parser
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from builder import model
from builder.fields import ListOf, MapOf, Record
from builder.scalars import SourceSpec, Text, Url

REPO = Path(__file__).resolve().parents[1]

#: The payload's parts, longest first; a field gets as many as its length allows.
_PARTS = ['<x-xss>', '"\'&', '<script>alert("xss")</script>', '<img src=x onerror=alert(1)>',
          '<svg onload=alert(2)>', "</title></textarea></style>-->", "<a href=javascript:alert(3)>j</a>"]
_LEADS = "=+-@"


def payload(max_len: int, n: int) -> str:
    """The attack for a field of at most `max_len` characters; `n` picks the formula lead."""
    text = _LEADS[n % 4] if max_len > 10 else ""
    for part in _PARTS:
        if len(text) + len(part) <= max_len:
            text += part
    assert "<x-xss>" in text, max_len
    return text


# --- which fields are text -------------------------------------------------------------------------

Path_ = tuple  # ("reports", "*", "scope"); "*" is any item of a list or value of a mapping; "{}" a key


def text_paths(cls: type, prefix: Path_ = ()) -> list[Path_]:
    """Every path to a free-text field of a record class (not ids, URLs or patterned text)."""
    out: list[Path_] = []
    for f in dataclasses.fields(cls):
        spec = f.metadata.get("spec")
        if spec is not None:
            out.extend(_spec_paths(spec, prefix + (f.name,)))
    return out


def _spec_paths(spec, path: Path_) -> list[Path_]:
    if isinstance(spec, Text) and not isinstance(spec, Url) and spec.pattern is None:
        return [path]
    if isinstance(spec, ListOf):
        return _spec_paths(spec.item, path + ("*",))
    if isinstance(spec, MapOf):
        return _spec_paths(spec.key, path + ("{}",)) + _spec_paths(spec.value, path + ("*",))
    if isinstance(spec, Record):
        return text_paths(spec.cls, path)
    if isinstance(spec, SourceSpec):
        return text_paths(model.Source, path)
    return []


def values_at(data, path: Path_) -> list:
    if not path:
        return [data]
    head, rest = path[0], path[1:]
    if head == "*":
        items = data if isinstance(data, list) else list(data.values()) if isinstance(data, dict) else []
        return [v for item in items for v in values_at(item, rest)]
    if head == "{}":
        return list(data) if isinstance(data, dict) and not rest else []
    if isinstance(data, dict) and head in data:
        return values_at(data[head], rest)
    return []


# --- the site ------------------------------------------------------------------------------------

class _Payloads:
    """Hands out payloads, each field its own formula lead in turn."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, max_len: int) -> str:
        self.n += 1
        return payload(max_len, self.n)


def _source(p: _Payloads) -> dict:
    return {"title": p(300), "publisher": p(200), "date": "2023-04-10",
            "url": "https://example.org/a?b=1&c=2", "file": "seed-1.txt",
            "note": p(1000)}


def xss_records() -> dict[str, dict]:
    """{path under content/: the record as data}, every text field an attack."""
    p = _Payloads()
    sector = p(100)
    site = {
        "title": p(200), "title_en": p(200), "language": "zh-CN", "as_of": "2023-03-31",
        "home_region": "zhoukou", "base_url": "https://example.org/xss&co/", "money_unit": "亿元",
        "flags": {"red": 1, "yellow": 1}, "organisation": p(200), "organisation_en": p(200),
        "licence": p(300), "repo_url": "https://example.org/repo?a=1&b=2", "description": p(1000),
        "description_en": p(1000), "sectors": [{"id": "s1", "name": sector, "name_en": p(100)}],
        "sources": {"src-1": _source(p)},
        "ledger": {"columns": {p(100): "name"}, "sheet": p(100), "unit": "万元"},
    }

    def region(rid: str, level: str, parent: str | None, full: bool) -> dict:
        r: dict = {"id": rid, "name": p(100), "name_en": p(100), "full_name": p(200),
                   "full_name_en": p(200), "level": level, "aliases": [p(100)], "summary": p(20_000),
                   "summary_en": p(20_000), "sources": ["src-1", _source(p)]}
        if parent:
            r["parent"] = parent
        if not full:
            return r
        r["reports"] = [
            {"key": "2023-q1", "scope": p(200), "scope_en": p(200), "year": 2023, "period": "2023-Q1",
             "as_of": "2023-03-31", "as_of_note": p(300), "project_count": 10, "annual_plan": 100,
             "completed": 30, "plan_completion_pct": 30, "ahead_of_schedule_pp": 5,
             "yoy_pct": {"completed": 12.5}, "note": p(1000), "source": _source(p)},
            {"key": "2023-q1-sub", "scope": p(200), "subset_of": "2023-q1", "year": 2023,
             "as_of": "2023-03-31", "project_count": 4, "source": "src-1"}]
        r["rankings"] = [{"key": "rank-2022", "evaluation": p(200), "evaluation_en": p(200),
                          "year": 2022, "period_note": p(200), "peer_group": p(100), "rank": 2,
                          "of": 18, "note": p(1000), "source": _source(p)}]
        r["flags"] = [{"review": "2023-Q1", "color": "red", "reason": p(500), "source": _source(p)}]
        r["problems"] = [{"key": "ledger-1", "scope": p(200), "scope_en": p(200),
                          "as_of": "2023-03-31", "as_of_note": p(300), "collected": 10,
                          "resolved": 6, "in_progress": 4, "unit": p(10), "note": p(1000),
                          "source": _source(p)}]
        r["events"] = [{"key": "event-1", "name": p(200), "name_en": p(200), "date": "2023-03-01",
                        "period_note": p(200), "project_count": 5, "total_investment": 50,
                        "note": p(1000), "source": _source(p)}]
        r["targets"] = [{"key": "target-1", "label": p(200), "label_en": p(200),
                         "value": {"value": 120, "kind": "target", "note": p(500)}, "unit": p(30),
                         "year": 2023, "period_note": p(200), "note": p(1000), "source": _source(p)}]
        r["indicators"] = [{"key": "ind-1", "label": p(200), "label_en": p(200), "value": 3,
                            "unit": p(30), "year": 2023, "period_note": p(200), "note": p(1000),
                            "source": _source(p)}]
        return r

    def project(pid: str, rid: str) -> dict:
        return {
            "id": pid, "name": p(200), "name_en": p(200), "aliases": [p(200)], "region": rid,
            "levels": ["province"], "sector": sector, "build_type": "new",
            "total_investment": {"value": 50, "note": p(500)}, "annual_plan": {2023: 8},
            "capacity": {"value": 5, "unit": p(30)}, "stage": "building",
            "stage_dates": {"signed": "2022-05-01", "started": "2022-09-15"},
            "status_text": p(300), "status_as_of": "2023-03-31",
            "campaigns": [{"campaign": "round-1", "batch": "start"}],
            "whitelist": [{"batch": 1, "note": p(200)}],
            "lead": {"title": p(100), "level": p(50), "name": p(50)}, "responsible_unit": p(200),
            "progress": [{"month": "2023-01", "completed_ytd": 1.2, "completed_cumulative": 10.5,
                          "image_progress": p(300), "note": p(500)},
                         {"month": "2023-03", "completed_ytd": 3.6, "completed_cumulative": 12.9,
                          "image_progress": p(300), "note": p(500)}],
            "problems": [{"opened": "2023-02-01", "text": p(500)}],
            "baseline": {"total_investment": 45, "as_of": "2022-01-01"},
            "indicators": [{"key": "jobs", "label": p(200), "label_en": p(200), "value": 300,
                            "unit": p(30), "period_note": p(200), "note": p(1000),
                            "source": _source(p)}],
            "summary": p(20_000), "summary_en": p(20_000), "sources": ["src-1", _source(p)],
        }

    campaign = {
        "id": "round-1", "campaign": p(50), "region": "zhoukou", "round": 5, "period": "2023-Q1",
        "period_note": p(200), "as_of": "2023-03-31",
        "window": {"start": "2023-01-01", "end": "2023-03-31"},
        "batches": [{"batch": "sign", "count": 4, "investment": 30, "advanced": 2},
                    {"batch": "start", "count": 6, "investment": 50, "advanced": 3, "rate_pct": 50}],
        "totals": {"count": 10, "investment": 80}, "members": ["p-one", "p-two"],
        "summary": p(20_000), "summary_en": p(20_000), "note": p(1000), "source": _source(p),
    }
    bulletin = {
        "title": p(200), "title_en": p(200), "date": "2023-04-10", "region": "zhoukou",
        "as_of": "2023-03-31", "period": "2023-Q1", "summary": p(1000), "summary_en": p(1000),
        "tags": [p(50)], "headline": ["zhoukou/2023-q1"], "campaign": "round-1",
        "sources": ["src-1", _source(p)],
    }
    return {
        "site.yaml": site,
        "regions/henan.yaml": region("henan", "province", None, False),
        "regions/zhoukou.yaml": region("zhoukou", "city", "henan", True),
        "regions/shenqiu.yaml": region("shenqiu", "county", "zhoukou", True),
        "projects/p-one.yaml": project("p-one", "zhoukou"),
        "projects/p-two.yaml": project("p-two", "shenqiu"),
        "campaigns/round-1.yaml": campaign,
        "bulletins/2023-04-10-xss.md": bulletin,
    }


BODY = """
全市完成投资 {{ figure zhoukou 2023-q1 completed }}，项目总投资 {{ figure project:p-one total_investment }}。

```chart
kind: plan_vs_schedule
region: zhoukou
report: 2023-q1
```
"""


def _dates(value):
    """"2023-04-10" as a date, which YAML writes plain (a quoted one would be text)."""
    if isinstance(value, dict):
        return {k: _dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates(v) for v in value]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.date.fromisoformat(value)
    return value


def xss_content(root: Path) -> Path:
    content = root / "content"
    for rel, data in xss_records().items():
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump(_dates(data), allow_unicode=True, sort_keys=False, width=10_000)
        path.write_text(f"---\n{text}---\n{BODY}" if rel.endswith(".md") else text, encoding="utf-8")
    return content


def build_xss_site(tmp_path_factory) -> Path:
    """The attack site, built once per test session (tests/browser/test_xss_browser.py serves
    the same build); returns its output folder."""
    root = tmp_path_factory.getbasetemp() / "xss-site"
    if not (root / "output").is_dir():
        shutil.rmtree(root, ignore_errors=True)
        xss_content(root)
        r = subprocess.run([sys.executable, "-m", "builder", "build", "content", "--out", "output",
                            "--cache", str(tmp_path_factory.getbasetemp() / "bulletin-cache")],
                           cwd=root, capture_output=True, text=True, timeout=600,
                           env={**os.environ, "PYTHONPATH": str(REPO)})
        assert "Traceback" not in r.stderr, r.stderr
        assert r.returncode == 0, r.stdout + r.stderr
    return root / "output"


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory) -> Path:
    return build_xss_site(tmp_path_factory)


def site_files(out: Path, suffix: str) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(out.rglob(f"*{suffix}"))}


# --- the payloads are everywhere ---------------------------------------------------------------------

def test_every_text_field_of_every_record_kind_carries_the_attack():
    records = xss_records()
    kinds = {"site.yaml": model.Site, "regions/zhoukou.yaml": model.Region,
             "projects/p-one.yaml": model.Project, "campaigns/round-1.yaml": model.Campaign,
             "bulletins/2023-04-10-xss.md": model.BulletinMeta}
    assert set(kinds.values()) == set(model.RECORDS.values())
    missing = []
    for rel, cls in kinds.items():
        paths = text_paths(cls)
        assert paths, cls
        for path in paths:
            values = values_at(records[rel], path)
            if not values or not all(isinstance(v, str) and "<x-xss>" in v for v in values):
                missing.append(f"{rel}: {'.'.join(path)} = {values!r}")
    assert missing == []


def test_the_payload_fits_every_field_and_leads_with_a_formula():
    assert payload(10, 0) == "<x-xss>\"'&"
    long = payload(1000, 1)
    assert long[0] == "+" and all(part in long for part in _PARTS)


def test_the_site_builds_with_every_attack_in_it(xss_site):
    pages = site_files(xss_site, ".html")
    assert len(pages) >= 12
    # The attack reaches the pages, as text.
    assert sum("&lt;x-xss&gt;" in page for page in pages.values()) >= len(pages) - 2


# --- nothing of it is live ---------------------------------------------------------------------------

class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = [k for k, _ in attrs]
        if tag == "x-xss" or any(k.startswith("on") or k in ("src", "href") and v and
                                 "alert(" in v for k, v in attrs):
            self.found.append(f"<{tag} {' '.join(names)}>")
        if tag == "script" and "src" not in dict(attrs) and dict(attrs).get("type") != "application/json":
            self.found.append("<script> without src")


def live_markup(page: str) -> list[str]:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    raw = [s for s in ("<x-xss", "<script>alert", "<img src=x", "<svg onload", "</title></textarea>")
           if s in page]
    return parser.found + raw


def test_no_page_has_live_markup_from_the_data(xss_site):
    found = {rt: f for rt, page in site_files(xss_site, ".html").items() if (f := live_markup(page))}
    assert found == {}


_SVG = "{http://www.w3.org/2000/svg}"
_DRAWING = {"svg", "g", "path", "rect", "line", "text", "tspan", "title", "desc", "defs", "clipPath",
            "circle", "polygon", "polyline", "ellipse", "symbol"}


def test_every_chart_svg_is_a_drawing_with_the_attack_as_text(xss_site):
    svgs = []
    for rt, page in site_files(xss_site, ".html").items():
        svgs += [(rt, m[0]) for m in re.finditer(r"<svg\b.*?</svg>", page, re.S)]
    svgs += [(rt, body) for rt, body in site_files(xss_site, ".svg").items()]
    assert len(svgs) >= 5
    texts = 0
    for rt, svg in svgs:
        root = ElementTree.fromstring(svg)
        for el in root.iter():
            assert el.tag.startswith(_SVG) and el.tag[len(_SVG):] in _DRAWING, (rt, el.tag)
            assert not [a for a in el.attrib if a.lower().startswith("on")], (rt, el.attrib)
            texts += "<x-xss>" in (el.text or "")
    assert texts >= 3  # titles and labels from the data are drawn as text


def test_feeds_and_sitemap_hold_the_attack_as_text_only(xss_site):
    """Atom feeds and the sitemap (builder/feeds.py): well-formed XML, no element from the data,
    the payload back as text. Skipped while the site has no feed, naming what is missing."""
    feeds = site_files(xss_site, ".xml")
    if not any(rt.endswith("feed.xml") for rt in feeds) or "sitemap.xml" not in feeds:
        pytest.skip(f"no feed.xml or sitemap.xml in the build yet (found {sorted(feeds)}): "
                    "this test checks them once builder/feeds.py writes them")
    seen = 0
    for rt, text in feeds.items():
        root = ElementTree.fromstring(text.encode("utf-8"))
        for el in root.iter():
            local = el.tag.rpartition("}")[2]
            assert local in {"feed", "title", "subtitle", "id", "updated", "link", "author", "name",
                             "uri", "entry", "summary", "content", "published", "category", "rights",
                             "generator", "icon", "logo", "urlset", "url", "loc", "lastmod",
                             "sitemapindex", "sitemap"}, (rt, el.tag)
            if el.get("type") in ("html", "xhtml"):
                assert "<x-xss" not in (el.text or ""), (rt, el.tag)
            seen += "<x-xss>" in (el.text or "")  # (text and attribute values parse as text)
    assert seen >= 2, "the feed should carry the bulletin's title and summary as text"


def test_json_downloads_keep_the_attack_as_data(xss_site):
    data = {rt: json.loads(text) for rt, text in site_files(xss_site, ".json").items()
            if rt.startswith("data/") and not rt.startswith("data/schema/")}
    assert data
    strings = [v for rows in data.values() for row in rows for v in row.values() if isinstance(v, str)]
    assert any("<x-xss>\"'&<script>alert(\"xss\")</script>" in s for s in strings)
    # JSON stays JSON: the formula leads are data here (only spreadsheets run them).
    assert any(s[:1] in _LEADS and "<x-xss>" in s for s in strings)


_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def test_csv_cells_never_start_a_formula(xss_site):
    """Excel runs a cell that starts with = + - @ (and tab or CR): text that does is prefixed with '."""
    cells = checked = 0
    for rt, text in site_files(xss_site, ".csv").items():
        assert text.startswith("\ufeff"), rt
        for row in csv.reader(io.StringIO(text[1:])):
            for cell in row:
                cells += 1
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    assert _NUMBER.fullmatch(cell), f"{rt}: {cell[:60]!r}"
                if cell.startswith("'") and cell[1:2] in _LEADS and "<x-xss>" in cell:
                    checked += 1
    assert cells and checked >= 4, (cells, checked)
