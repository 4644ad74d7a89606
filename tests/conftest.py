"""Shared helpers: write small content trees as real files."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Callable, Iterator

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


@pytest.fixture
def tmpfs(tmp_path) -> Iterator[Callable[..., Path]]:
    """Mounts real tmpfs file systems: `tmpfs("1m", mode="777")` -> the mount point, unmounted
    after the test. Needs root and `mount` (CI runs as root); otherwise the test skips."""
    mounted: list[Path] = []

    def mount(size: str, mode: str = "755") -> Path:
        if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("mount"):
            pytest.skip("mounting a tmpfs needs root (CI runs as root)")
        mnt = tmp_path / f"mnt{len(mounted) or ''}"
        mnt.mkdir()
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode={mode}", "tmpfs",
                            str(mnt)], capture_output=True, text=True, check=False)
        if r.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
        mounted.append(mnt)
        return mnt

    yield mount
    for mnt in reversed(mounted):
        subprocess.run(["umount", "-l", str(mnt)], check=False)
