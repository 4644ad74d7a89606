"""Property tests over whole record sets, through the whole build (derive, charts, pages, write).

tests/test_properties.py holds the loader and validator to "never an exception";
here the rest of the pipeline is held to it too:

(a) any structurally valid record set (regions in a tree, projects, reports,
    rankings, ledgers, a campaign, bulletins citing figures and drawing charts,
    with any text in every name) builds: the site is written, every page is
    well-formed enough to parse, and the text is escaped;
(b) one field of such a set replaced with any value either still builds or is
    refused with Problems (`BuildError`); nothing else is ever raised.

Each example is a real build into tmp folders (one chart cache for all, so only
new charts are drawn), so the example counts are modest.
"""

from __future__ import annotations

import atexit
import datetime as dt
import html.parser
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from builder.errors import BuildError
from builder.session import Session
from builder.write import write_site
from tests._tree import paths as _paths
from tests._tree import replace as _replace

SETTINGS = settings(deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])

_DIR = Path(tempfile.mkdtemp(prefix="bulletin-model-props-"))
atexit.register(shutil.rmtree, _DIR, True)
CACHE = _DIR / "cache"  # one chart cache for every example: only new charts are drawn

# --- strategies -----------------------------------------------------------------------------------

#: Names as editors and attackers type them: CJK, Latin, digits, punctuation, markup, quotes.
NAME = st.text(alphabet=st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80),
                                  st.sampled_from(list("abcXYZ019 -_.,;:!?/&<>\"'=+@#%()[]{}*|~`$\\"))),
               min_size=1, max_size=24).map(str.strip).filter(bool)
IDS = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?", fullmatch=True).filter(
    lambda s: s not in {"con", "prn", "aux", "nul"} and not s.startswith(("com", "lpt")))
MONEY = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(20000), places=2)
DATES = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2024, 12, 28))
STAGES = st.sampled_from(["plan", "reserve", "signed", "landed", "started", "building", "operating",
                          "at_capacity", "in_statistics"])


@st.composite
def record_sets(draw) -> dict[str, dict | str]:
    """{path under content/: data (or Markdown text)}: a valid site."""
    rids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    as_of = draw(DATES)
    files: dict = {}
    levels = ["province", "city", "county", "district", "zone"]
    for i, rid in enumerate(rids):
        region: dict = {"id": rid, "name": draw(NAME), "level": levels[min(i, 4)]}
        if i:
            region["parent"] = draw(st.sampled_from(rids[:i]))
        reports = []
        for k in range(draw(st.integers(0, 2))):
            plan = draw(MONEY)
            done = draw(st.decimals(min_value=0, max_value=plan, places=2))
            reports.append({"key": f"r{k}", "scope": draw(NAME), "year": as_of.year,
                            "as_of": as_of, "project_count": draw(st.integers(0, 500)),
                            "annual_plan": plan, "completed": done,
                            "plan_completion_pct": (done / plan * 100).quantize(Decimal("0.01"))})
        if reports:
            region["reports"] = reports
        if draw(st.booleans()):
            region["rankings"] = [{"key": "rank", "evaluation": draw(NAME), "peer_group": draw(NAME),
                                   "rank": 1, "of": draw(st.integers(1, 20))}]
        if draw(st.booleans()):
            n = draw(st.integers(0, 100))
            region["problems"] = [{"key": "ledger", "scope": draw(NAME), "as_of": as_of,
                                   "collected": n, "resolved": n // 2, "in_progress": n - n // 2}]
        files[f"regions/{rid}.yaml"] = region
    pids = draw(st.lists(IDS, max_size=4, unique=True))
    for pid in pids:
        total = draw(MONEY)
        cum = sorted(draw(st.lists(st.decimals(min_value=0, max_value=total, places=2), max_size=4)))
        project: dict = {"id": pid, "name": draw(NAME), "region": draw(st.sampled_from(rids)),
                         "total_investment": total, "stage": draw(STAGES),
                         "annual_plan": {as_of.year: draw(st.decimals(min_value=0, max_value=total,
                                                                      places=2))},
                         "sector": draw(NAME), "status_text": draw(NAME), "summary": draw(NAME)}
        if cum:
            project["progress"] = [{"month": f"{as_of.year}-{m + 1:02d}", "completed_ytd": c,
                                    "completed_cumulative": c} for m, c in enumerate(cum)]
        files[f"projects/{pid}.yaml"] = project
    if pids and draw(st.booleans()):
        count = draw(st.integers(1, 50))
        files["campaigns/round.yaml"] = {
            "id": "round", "region": rids[0], "round": 1, "as_of": as_of,
            "batches": [{"batch": "start", "count": count, "advanced": draw(st.integers(0, count)),
                         "investment": draw(MONEY)}],
            "members": draw(st.lists(st.sampled_from(pids), min_size=1, unique=True))}
    site = {"title": draw(NAME), "as_of": as_of, "home_region": rids[0],
            "language": draw(st.sampled_from(["zh-CN", "en"])),
            "schedule_basis": draw(st.sampled_from(["month", "day"])),
            "flags": {"red": draw(st.integers(0, 3)), "yellow": draw(st.integers(0, 3))}}
    if draw(st.booleans()):
        site["base_url"] = "https://example.org/b/"
    files["site.yaml"] = site
    for n in range(draw(st.integers(0, 2))):
        rid = draw(st.sampled_from(rids))
        body = [draw(NAME).replace("{", "(").replace("`", "'")]
        region = files[f"regions/{rid}.yaml"]
        if region.get("reports"):
            body.append(f"{{{{ figure {rid} r0 completed }}}}")
            body.append(f"\n```chart\nkind: plan_vs_schedule\nregion: {rid}\nreport: r0\n```\n")
        if pids:
            body.append(f"{{{{ figure project:{pids[0]} total_investment }}}}")
        day = as_of - dt.timedelta(days=n)
        front = dump({"title": draw(NAME), "date": day, "region": rid, "summary": draw(NAME)})
        files[f"bulletins/{day.isoformat()}-b{n}.md"] = "---\n" + front + "---\n\n" + "\n\n".join(body) + "\n"
    return files


class _Dumper(yaml.SafeDumper):
    """Writes a Decimal as the number it is (1546.18), as an editor would type it."""


_Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float",
                                                                  format(v, "f")))


def dump(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


def write_content(files: dict, root: Path) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    content = root / "content"
    for rel, data in files.items():
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = data if isinstance(data, str) else dump(data)
        path.write_text(text, encoding="utf-8")
    return content


class _Check(html.parser.HTMLParser):
    """Counts elements; a data name that became markup would add an <x-…> or an on* attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag, attrs):
        if any(k.startswith("on") for k, _ in attrs) or tag.startswith("x-"):
            self.bad.append(tag)


def build(files: dict, name: str) -> dict[str, bytes]:
    """Build the record set; returns the site written. Raises BuildError on problems only."""
    root = _DIR / name
    content = write_content(files, root)
    outcome = Session(content, cache=CACHE, jobs=1).rebuild()
    write_site(outcome.files, root / "output")
    return dict(outcome.files)


# --- (a) valid sets build ------------------------------------------------------------------------

@settings(SETTINGS, max_examples=10)
@given(record_sets())
def test_any_valid_record_set_builds(files):
    site = build(files, "valid")
    pages = {r: b for r, b in site.items() if r.endswith(".html")}
    assert "index.html" in pages and len(pages) >= 4
    for rid in (p.split("/")[1][:-5] for p in files if p.startswith("regions/")):
        assert f"regions/{rid}/index.html" in pages
    for route, body in pages.items():
        check = _Check()
        check.feed(body.decode("utf-8"))
        assert check.bad == [], route


# --- (b) one field replaced with anything ----------------------------------------------------------

ANY = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**15), MONEY, DATES, NAME,
              st.sampled_from(["", " ", "..", "../x", "con", "2023-02-30", "1e309", ".nan", "-1",
                               "<script>", "=1+1", "zhoukou", "r0", "2023-13", "99999999999999"])),
    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(NAME, c, max_size=3)), max_leaves=6)


def _like(record, path):
    """A value of the same kind as the one at `path` (so that some mutations still build)."""
    old = record
    for part in path:
        old = old[part]
    for kind, strategy in ((bool, st.booleans()), (int, st.integers(0, 10**6)), (Decimal, MONEY),
                           (dt.date, DATES), (str, NAME)):
        if isinstance(old, kind):
            return strategy
    return ANY


@settings(SETTINGS, max_examples=30)
@given(record_sets(), st.data())
def test_one_field_replaced_with_anything_builds_or_yields_problems(files, data):
    records = sorted(rel for rel, v in files.items() if isinstance(v, dict))
    rel = data.draw(st.sampled_from(records))
    paths = list(reversed([p for p in _paths(files[rel]) if p]))  # (the simplest draw is the first: not `id`)
    assume(paths)
    path = data.draw(st.sampled_from(paths))
    mutated = {**files, rel: _replace(files[rel], path, data.draw(st.one_of(_like(files[rel], path), ANY)))}
    try:
        build(mutated, "mutated")
        event("still builds")
    except BuildError as err:
        event("refused with problems")
        assert err.problems
        assert any(p.severity == "error" for p in err.problems)
        for p in err.problems:
            assert p.message and "content/" in p.path and p.path.endswith((".yaml", ".md"))
