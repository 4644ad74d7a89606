"""builder._chartfill: chart templates made by Altair once, then kept in the cache folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from builder import _chartfill

REPO = Path(__file__).resolve().parents[1]
GOOD = REPO / "tests" / "fixtures" / "good" / "content"

_BUILD = """
import sys
from pathlib import Path
from builder.pipeline import build
build(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), None, 1)
print("altair" in sys.modules)
"""


def _build(out: Path, cache: Path) -> bool:
    """A `bulletin build` in a fresh interpreter; whether it imported Altair."""
    run = subprocess.run([sys.executable, "-c", _BUILD, str(GOOD), str(out), str(cache)],
                         cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip().splitlines()[-1] == "True"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_a_build_with_its_templates_cached_does_not_need_altair_and_gives_the_same_site(tmp_path):
    cache = tmp_path / "cache"
    assert _build(tmp_path / "a", cache) is True  # the first build makes the templates
    kept = sorted((cache / "chart-templates").glob("*.json"))
    assert kept and all(isinstance(json.loads(p.read_text("utf-8")), dict) for p in kept)
    assert _build(tmp_path / "b", cache) is False
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_a_damaged_template_file_is_made_again_not_used(tmp_path):
    cache = tmp_path / "cache"
    _build(tmp_path / "a", cache)
    for p in (cache / "chart-templates").glob("*.json"):
        p.write_text('{"mark": "bar", "broken', encoding="utf-8")
    for p in (cache / "charts").rglob("*.svg"):
        p.unlink()  # so that the charts are drawn again, from the templates
    assert _build(tmp_path / "b", cache) is True
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    for p in (cache / "chart-templates").glob("*.json"):
        json.loads(p.read_text("utf-8"))


def test_another_version_of_the_chart_code_does_not_read_this_ones_templates(tmp_path, monkeypatch):
    tid = "ranking|region,percent,ahead,flag|300"
    _chartfill._template.cache_clear()
    first = _chartfill.template(tid, tmp_path)
    assert len(list((tmp_path / "chart-templates").glob("*.json"))) == 1
    monkeypatch.setattr(_chartfill, "_code_key", lambda: "some other code")
    _chartfill._template.cache_clear()
    assert _chartfill.template(tid, tmp_path) == first
    assert len(list((tmp_path / "chart-templates").glob("*.json"))) == 2
    _chartfill._template.cache_clear()
