"""Shared helpers: write small content trees as real files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write {relative path: text} under root/content and return the content folder."""
    content = root / "content"
    for rel, text in files.items():
        p = content / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return content


SITE = """
title: 测试站点
as_of: 2023-03-31
home_region: henan
"""


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """Build a content tree in tmp_path (cwd is tmp_path, so paths print as content/...)."""
    monkeypatch.chdir(tmp_path)

    def make(files: dict[str, str], site: str = SITE) -> Path:
        return write_tree(tmp_path, {"site.yaml": site, **files})

    return make
