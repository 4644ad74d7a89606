"""The build, as one sequence: load → validate → derive → chart → render → write.

Nothing is written until every input has been read, validated and rendered;
a build with errors leaves the previous `output/` exactly as it was.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .chart import draw
from .chartplan import plan_charts
from .content import Content
from .derive import derive
from .errors import BuildError, Problem
from .i18n import load_catalog
from .opendata import data_files
from .pages import plan_pages
from .render import build_assets, render_pages
from .validate import validate
from .write import WriteReport, write_site

__all__ = ["BuildResult", "build", "default_templates"]


@dataclass(frozen=True)
class BuildResult:
    content: Content
    problems: tuple[Problem, ...]
    pages: int
    files: int
    charts: int
    write: WriteReport
    seconds: dict


def default_templates() -> Path:
    """`site_templates/` of the site folder, else the one shipped beside the package."""
    here = Path("site_templates")
    return here if here.is_dir() else Path(__file__).resolve().parents[1] / "site_templates"


def build(content: Path, out: Path, cache: Path | None = None, templates: Path | None = None,
          jobs: int | None = None, strict: bool = False,
          progress: Callable[[str, int, int], None] | None = None) -> BuildResult:
    """Build the site; raises BuildError (with every Problem) and writes nothing on errors."""
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    checked = validate(Path(content), jobs=jobs)
    times["validate"] = time.perf_counter() - t0
    problems = list(checked.problems)
    if not checked.errors and checked.site is not None:
        t = time.perf_counter()
        derived = derive(checked)
        times["derive"] = time.perf_counter() - t
        problems += list(derived.problems)
    failing = [p for p in problems if p.severity == "error" or strict]
    if failing or checked.site is None:
        raise BuildError(problems)
    templates = Path(templates) if templates else default_templates()
    catalog = load_catalog(templates, checked.site.language)
    t = time.perf_counter()
    requests = plan_charts(derived, catalog)
    charts = draw(list(requests.values()), Path(cache) if cache else None, jobs or 1)
    times["chart"] = time.perf_counter() - t
    t = time.perf_counter()
    pages, clashes = plan_pages(derived, catalog, charts)
    if clashes:
        raise BuildError(problems + clashes)
    assets = build_assets(templates, Path(cache) if cache else None)
    files = render_pages(pages, charts, catalog, checked.site, assets, templates,
                         (lambda n, total: progress("render", n, total)) if progress else None)
    files.update(assets.files)
    files.update(data_files(derived))
    times["render"] = time.perf_counter() - t
    t = time.perf_counter()
    report = write_site(files, Path(out),
                        progress=(lambda n, total: progress("write", n, total)) if progress else None)
    times["write"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - t0
    return BuildResult(checked, tuple(problems), len(pages), len(files), len(charts), report, times)
