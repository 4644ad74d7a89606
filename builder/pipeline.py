"""The build, as one sequence: load → validate → derive → chart → render → write.

The first five stages run in memory (`session.Session.rebuild`, the same code
`bulletin serve` runs after each save); then `write` puts the files in place.
The last step in memory is the search index (`search.index_site`, Pagefind over
the rendered pages), made here on every build; `bulletin serve` makes it only
when saves stop (`searchidle`), so a save never waits for it.
Nothing is published until every input has been read, validated and rendered:
pages rendered by workers go straight into the new output folder beside the old
(`write.Staging`), which is swapped in only at the end, and removed on any error;
a build with errors leaves the previous `output/` exactly as it was.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import collector
from .content import Content
from .errors import Problem
from .session import Session, default_templates
from .write import Staging, WriteReport

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


def build(content: Path, out: Path, cache: Path | None = None, templates: Path | None = None,
          jobs: int | None = None, strict: bool = False,
          progress: Callable[[str, int, int], None] | None = None) -> BuildResult:
    """Build the site; raises BuildError (with every Problem) and writes nothing on errors."""
    t0 = time.perf_counter()
    made: list[Staging] = []

    def stage() -> Staging:  # asked for by the render stage when workers render the pages
        made.append(Staging(out))
        return made[-1]
    # No cyclic collection: what a build makes lives to its end (`collector`).
    with collector.paused():
        try:
            outcome = Session(content, templates, cache, jobs, strict, search="build",
                              once=True).rebuild(progress, stage)
            t = time.perf_counter()
            report = (made[-1] if made else Staging(out)).publish(outcome.files, progress=(
                lambda n, total: progress("write", n, total)) if progress else None)
        except BaseException:
            for staging in made:  # (its pages: the previous output stays as it was)
                staging.discard()
            raise
    times = dict(outcome.seconds, write=time.perf_counter() - t, total=time.perf_counter() - t0)
    return BuildResult(outcome.derived.content, outcome.problems, outcome.pages, len(outcome.files),
                       outcome.charts, report, times)
