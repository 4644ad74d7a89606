"""Incremental rebuilds equal full builds, byte for byte, over a series of random edits.

`bulletin serve` keeps one `Session` and rebuilds after each save, reusing
what the save did not touch. Whatever it reuses, the site it ends with must be
exactly the site a fresh build of the same files gives. The edits are the ones
editors make (a month's figure, a total, a name, a project moved to another
county, a report figure that reorders a ranking, a campaign batch, a bulletin,
site.yaml, a template, a new or deleted project, a mistake and its fix).
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from builder.errors import BuildError
from builder.session import Session

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def chart_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("charts")


def _site(root: Path) -> tuple[Path, Path]:
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "60", str(root)],
                   check=True, capture_output=True)
    templates = root / "site_templates"
    shutil.copytree(REPO / "site_templates", templates)
    return root / "content", templates


def _sub(path: Path, pattern: str, repl, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, repl, text, count=count, flags=re.M)
    assert n, (path, pattern)
    path.write_text(new, encoding="utf-8")


def _bump_last_month(rng: random.Random, content: Path) -> str:
    path = rng.choice(sorted((content / "projects").glob("*.yaml")))
    delta = Decimal(rng.randint(1, 20)) / 100

    def bump(m: re.Match) -> str:
        ytd, cum = Decimal(m[2]) + delta, Decimal(m[3]) + delta
        return f"{m[1]}completed_ytd: {ytd}, completed_cumulative: {cum}}}"
    text = path.read_text(encoding="utf-8")
    last = list(re.finditer(r"^(  - \{month: 2023-12, )completed_ytd: ([\d.]+), "
                            r"completed_cumulative: ([\d.]+)\}", text, re.M))[-1]
    path.write_text(text[:last.start()] + bump(last) + text[last.end():], encoding="utf-8")
    return f"{path.name}: December figures +{delta}"


def _total(rng, content):
    path = rng.choice(sorted((content / "projects").glob("*.yaml")))
    _sub(path, r"^total_investment: ([\d.]+)", lambda m: f"total_investment: {Decimal(m[1]) + 1}")
    return f"{path.name}: total +1"


def _rename_project(rng, content):
    path = rng.choice(sorted((content / "projects").glob("*.yaml")))
    _sub(path, r"^name: (.*)$", lambda m: f"name: {m[1]}（改名{rng.randint(1, 999)}）")
    return f"{path.name}: renamed"


def _move_project(rng, content):
    path = rng.choice(sorted((content / "projects").glob("*.yaml")))
    counties = [p.stem for p in (content / "regions").glob("*-*.yaml")]
    target = rng.choice(sorted(counties))
    _sub(path, r"^region: .*$", f"region: {target}")
    return f"{path.name}: moved to {target}"


def _rename_region(rng, content):
    path = rng.choice(sorted((content / "regions").glob("*.yaml")))
    _sub(path, r"^name: (.*)$", lambda m: f"name: {m[1]}新")
    return f"{path.name}: renamed"


def _report_figure(rng, content):
    path = rng.choice(sorted((content / "regions").glob("*-*.yaml")))
    _sub(path, r"^(    completed: )([\d.]+)$",
         lambda m: f"{m[1]}{Decimal(m[2]) * Decimal(rng.choice(['0.5', '1.5', '2']))}")
    return f"{path.name}: a report's completed figure changed (rankings move)"


def _bulletin_text(rng, content):
    path = rng.choice(sorted((content / "bulletins").glob("*.md")))
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"\n补充说明第{rng.randint(1, 99)}条：本月数据已核对。\n")
    return f"{path.name}: a paragraph added"


def _bulletin_title(rng, content):
    path = rng.choice(sorted((content / "bulletins").glob("*.md")))
    _sub(path, r"^title: (.*)$", lambda m: f"title: {m[1]}（修订）")
    return f"{path.name}: title changed"


def _campaign_batch(rng, content):
    files = [p for p in sorted((content / "campaigns").glob("*.yaml"))
             if re.search(r"^\s+advanced: \d", p.read_text(encoding="utf-8"), re.M)]
    if not files:  # no campaign of this site counts advanced projects
        return _total(rng, content)
    path = rng.choice(files)
    _sub(path, r"^(\s+advanced: )(\d+)", lambda m: f"{m[1]}{max(0, int(m[2]) - 1)}")
    return f"{path.name}: a batch advanced one fewer"


def _new_project(rng, content):
    src = rng.choice(sorted((content / "projects").glob("*.yaml")))
    pid = f"p-new-{rng.randint(1000, 9999)}"
    text = src.read_text(encoding="utf-8")
    text = re.sub(r"^id: .*$", f"id: {pid}", text, count=1, flags=re.M)
    text = re.sub(r"^name: (.*)$", rf"name: \1（新增{pid}）", text, count=1, flags=re.M)
    text = re.sub(r"^campaigns:.*\n(  - .*\n)*", "", text, flags=re.M)
    (content / "projects" / f"{pid}.yaml").write_text(text, encoding="utf-8")
    return f"{pid}.yaml: added"


def _delete_project(rng, content):
    members = set(re.findall(r"p-\d{6}", "".join(
        p.read_text(encoding="utf-8") for p in (content / "campaigns").glob("*.yaml"))))
    free = [p for p in sorted((content / "projects").glob("*.yaml")) if p.stem not in members]
    path = rng.choice(free)
    path.unlink()
    return f"{path.name}: deleted"


def _site_title(rng, content):
    _sub(content / "site.yaml", r"^title: (.*)$", lambda m: f"title: {m[1]}·{rng.randint(1, 9)}")
    return "site.yaml: title changed"


def _template(rng, content):
    path = content.parent / "site_templates" / "project.html"
    _sub(path, r"\{% endblock %\}", lambda m: f"{{# edit {rng.randint(1, 99)} #}}{m[0]}")
    return "project.html: edited"


EDITS = [_bump_last_month, _bump_last_month, _bump_last_month, _total, _rename_project,
         _move_project, _rename_region, _report_figure, _bulletin_text, _bulletin_title,
         _campaign_batch, _new_project, _delete_project, _site_title, _template]


def _full(content: Path, templates: Path, cache: Path):
    try:
        return Session(content, templates, cache, jobs=1).rebuild().files
    except BuildError as err:
        return err.problems


def _incremental(session: Session):
    try:
        return session.rebuild().files
    except BuildError as err:
        return err.problems


def _differences(a, b) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return sorted(r for r in set(a) | set(b) if a.get(r) != b.get(r))
    return [] if a == b else ["(one failed, or the problems differ)"]


@pytest.mark.parametrize("seed", [1, 2, 3, 7, 8, 10])
def test_incremental_rebuilds_equal_full_builds(tmp_path, chart_cache, seed):
    rng = random.Random(seed)
    content, templates = _site(tmp_path)
    session = Session(content, templates, chart_cache, jobs=1)
    session.rebuild()
    if seed != 3:  # as serve does: ready the chart engine and the page map ahead
        session.warm()
    done = []
    for _ in range(8):
        done.append(rng.choice(EDITS)(rng, content))
        got, want = _incremental(session), _full(content, templates, chart_cache)
        assert not _differences(got, want), (done, _differences(got, want)[:10])


def test_a_mistake_and_its_fix(tmp_path, chart_cache):
    content, templates = _site(tmp_path)
    session = Session(content, templates, chart_cache, jobs=1)
    good = session.rebuild().files
    path = sorted((content / "projects").glob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^total_investment: .*$", "total_investment: 约3亿", text,
                           count=1, flags=re.M), encoding="utf-8")
    with pytest.raises(BuildError) as err:
        session.rebuild()
    assert any(p.path.endswith(path.name) and p.line == 7 for p in err.value.problems)
    assert session.site == good  # the last good site is kept to serve
    path.write_text(text, encoding="utf-8")
    assert session.rebuild().files == good
