"""The validated content: every record, typed, with where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping

from .blocks import ChartBlock, FigureRef
from .errors import Problem, sort_problems
from .model import BulletinMeta, Campaign, Project, Region, Site
from .types import FieldPath, Position

__all__ = ["Bulletin", "Content"]


@dataclass(frozen=True)
class Bulletin:
    """A Markdown bulletin: front matter, body and what the body refers to."""

    slug: str
    path: str
    meta: BulletinMeta
    body: str
    body_line: int
    charts: tuple[ChartBlock, ...]
    figure_refs: tuple[FigureRef, ...]


@dataclass(frozen=True)
class Content:
    """All records of a site after validation (`site` is None if site.yaml failed)."""

    site: Site | None
    regions: Mapping[str, Region]
    projects: Mapping[str, Project]
    campaigns: Mapping[str, Campaign]
    bulletins: tuple[Bulletin, ...]
    #: Display path of each record, by (kind, id); for messages and "view source" links.
    paths: Mapping[tuple[str, str], str]
    problems: tuple[Problem, ...]
    #: Where top-level fields and list items stand, by display path (for later messages).
    positions: Mapping[str, Mapping[FieldPath, Position]] = field(default_factory=dict)
    #: How many content files were found (read or refused).
    file_count: int = 0

    def with_problems(self, extra: list[Problem]) -> "Content":
        return replace(self, problems=tuple(sort_problems(list(self.problems) + extra)))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]
