"""The search bundle of a full build is read back from the cache while its pages index the same
(builder/searchindex.py), and made again when they do not or when the file is damaged."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from builder import _pagefind
from builder.search import BUNDLE
from builder.searchindex import KEEP
from builder.session import Session

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("searchindex")
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "12", str(root)],
                   check=True, capture_output=True)
    return root / "content"


def _bundle(files) -> dict[str, bytes]:
    return {r: b for r, b in files.items() if r.startswith(BUNDLE)}


@pytest.fixture
def pagefind_runs(monkeypatch) -> list[int]:
    runs: list[int] = []
    enter = _pagefind.PagefindService.__enter__
    monkeypatch.setattr(_pagefind.PagefindService, "__enter__",
                        lambda self: (runs.append(1), enter(self))[1])
    return runs


def test_the_bundle_is_reused_while_the_indexed_text_is_the_same(content, tmp_path, pagefind_runs):
    cache = tmp_path / "cache"
    first = Session(content, None, cache, jobs=1, search="build").rebuild()
    assert len(pagefind_runs) == 1 and _bundle(first.files)
    [stored] = (cache / "search").glob("pagefind-*.bundle")
    second = Session(content, None, cache, jobs=1, search="build").rebuild()
    assert len(pagefind_runs) == 1, "read back, not indexed again"
    assert second.files == first.files
    # a damaged file is a miss: indexed again, the same bytes, stored again
    stored.write_bytes(stored.read_bytes()[:-100])
    third = Session(content, None, cache, jobs=1, search="build").rebuild()
    assert len(pagefind_runs) == 2 and third.files == first.files
    assert stored.read_bytes() != b"" and Session(content, None, cache, jobs=1,
                                                  search="build").rebuild().files == first.files
    assert len(pagefind_runs) == 2


def test_an_edit_the_index_reads_makes_it_again(content, tmp_path, pagefind_runs):
    cache = tmp_path / "cache"
    Session(content, None, cache, jobs=1, search="build").rebuild()
    path = sorted((content / "projects").glob("*.yaml"))[3]
    text = path.read_text(encoding="utf-8")
    try:
        path.write_text(re.sub(r"^name: (.*)$", r"name: \1（新名）", text, count=1, flags=re.M),
                        encoding="utf-8")
        edited = Session(content, None, cache, jobs=1, search="build").rebuild()
    finally:
        path.write_text(text, encoding="utf-8")
    assert len(pagefind_runs) == 2
    fresh = Session(content, None, tmp_path / "other", jobs=1, search="build").rebuild()
    again = Session(content, None, cache, jobs=1, search="build").rebuild()
    assert len(pagefind_runs) == 3, "the first bundle was kept beside the edited one's"
    assert _bundle(again.files) == _bundle(fresh.files) != _bundle(edited.files)
    assert len(list((cache / "search").glob("pagefind-*.bundle"))) == 2 <= KEEP


def test_a_pages_digest_follows_what_its_indexed_text_is_made_from(content, tmp_path):
    """`_digest` stands for the text `indexed_html` makes (the language, the title, <main>
    and the filters): a change there is a new digest, one in the header or footer is not."""
    from builder.search import indexed_html
    from builder.searchindex import _digest

    files = Session(content, None, tmp_path / "cache", jobs=1).rebuild().files
    route = next(r for r in sorted(files) if re.fullmatch(r"projects/p-\d+/index.html", r))
    page, filters = files[route], {"kind": ["project"]}
    same = [page.replace(b"</footer>", b"<p>\xe6\x96\xb0</p></footer>"),
            page.replace(b'<nav aria-label="', b'<nav data-x="1" aria-label="', 1)]
    differ = [page.replace(b"<h1>", b"<h1>\xe6\x96\xb0", 1),
              page.replace(b"<title>", b"<title>\xe6\x96\xb0", 1),
              page.replace(b'lang="zh-CN"', b'lang="en"', 1)]
    for other in same + differ:
        assert other != page
    text = indexed_html(page.decode(), filters)
    for other in same:
        assert _digest(other, filters) == _digest(page, filters)
        assert indexed_html(other.decode(), filters) == text
    for other in differ:
        assert _digest(other, filters) != _digest(page, filters)
    assert _digest(page, {"kind": ["region"]}) != _digest(page, filters)
    odd = b"<p>no head, no main</p>"  # not the usual shape: all of it counts
    assert _digest(odd, {}) != _digest(odd + b" ", {})
