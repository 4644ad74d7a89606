"""`bulletin check --cache DIR`: records kept on disk between runs never hide an edit."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _check(content: Path, cache: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "builder", "check", str(content), "--cache",
                           str(cache), "--jobs", "1"],
                          capture_output=True, text=True, env=env, cwd=REPO)


def test_a_second_check_reads_the_store_and_still_sees_every_edit(tmp_path):
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "30", str(tmp_path)],
                   check=True, capture_output=True)
    content, cache = tmp_path / "content", tmp_path / "cache"
    first = _check(content, cache)
    assert first.returncode == 0, first.stdout + first.stderr
    assert (cache / "records" / "records.pickle").is_file()
    again = _check(content, cache)
    assert (again.returncode, again.stdout) == (first.returncode, first.stdout)

    # An edit the store has not seen: it must be read, not taken from the store.
    path = sorted((content / "projects").glob("*.yaml"))[3]
    text = path.read_text(encoding="utf-8")
    broken = re.sub(r"^total_investment: .*$", "total_investment: lots", text, count=1, flags=re.M)
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    line = broken.split("\n").index("total_investment: lots") + 1
    bad = _check(content, cache)
    assert bad.returncode == 1
    assert f"{path.name}:{line}:" in bad.stdout and "total_investment" in bad.stdout
    assert "Traceback" not in bad.stderr

    path.write_text(text, encoding="utf-8")  # fixed: clean again, from the store's old entry
    fixed = _check(content, cache)
    assert (fixed.returncode, fixed.stdout) == (first.returncode, first.stdout)
