"""builder.validate: the parallel path and the record store agree with one process.

`validate(content, jobs)` splits the files between this process and workers;
`validate(content, cache_dir=...)` rebuilds unchanged files' results from a
store on disk. Both must give exactly what one process gives from scratch:
the same records, problems and positions.
"""

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from builder import _recordstore
from builder import validate as V
from builder.validate import validate

REPO = Path(__file__).resolve().parents[1]
GOOD = REPO / "tests" / "fixtures" / "good" / "content"


def snapshot(c):
    return (c.site, dict(c.regions), dict(c.projects), dict(c.campaigns), c.bulletins,
            dict(c.paths), c.problems, {k: dict(v) for k, v in c.positions.items()}, c.file_count)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A generated site of 450 projects (enough for the parallel path)."""
    root = tmp_path_factory.mktemp("gen")
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "450", str(root)],
                   check=True, capture_output=True)
    return root / "content"


@pytest.fixture
def content(tmp_path):
    shutil.copytree(GOOD, tmp_path / "content")
    return tmp_path / "content"


@pytest.fixture
def count(monkeypatch):
    """How many files `validate_file` read (in this process)."""
    seen = []
    real = V.validate_file

    def counting(f, basis="month", raw=None):
        seen.append(f.path)
        return real(f, basis, raw)

    monkeypatch.setattr(V, "validate_file", counting)
    return seen


def test_workers_give_what_one_process_gives(site):
    assert len(list((site / "projects").iterdir())) >= V.PARALLEL_THRESHOLD
    one = snapshot(validate(site, jobs=1))
    assert snapshot(validate(site, jobs=2)) == one
    assert snapshot(validate(site, jobs=3)) == one


def test_workers_report_problems_in_place(site, tmp_path):
    broken = tmp_path / "content"
    shutil.copytree(site, broken)
    p = broken / "projects" / "p-000200.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("region:", "regoin:"), encoding="utf-8")
    one, two = validate(broken, jobs=1), validate(broken, jobs=2)
    assert snapshot(two) == snapshot(one)
    assert {(x.path.endswith("p-000200.yaml"), x.code) for x in two.errors} == {
        (True, "unknown-field"), (True, "missing")}


def test_a_warm_store_reads_no_file_and_gives_the_same_content(site, tmp_path, count):
    fresh = snapshot(validate(site, jobs=1))
    store = tmp_path / "cache"
    assert snapshot(validate(site, jobs=2, cache_dir=store)) == fresh
    assert (store / "records.pickle").is_file()
    count.clear()
    assert snapshot(validate(site, jobs=1, cache_dir=store)) == fresh
    assert count == []
    assert snapshot(validate(site, jobs=2, cache_dir=store)) == fresh


def test_a_changed_file_is_validated_again_and_only_it(content, tmp_path, count):
    store = tmp_path / "cache"
    validate(content, jobs=1, cache_dir=store)
    alpha = content / "projects" / "alpha.yaml"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("total_investment: 50",
                                                               "total_investment: 约50"),
                     encoding="utf-8")
    count.clear()
    got = validate(content, jobs=1, cache_dir=store)
    assert [Path(p).name for p in count] == ["alpha.yaml"]
    assert snapshot(got) == snapshot(validate(content, jobs=1))
    assert [p.code for p in got.errors] == ["type"]


def test_a_new_schedule_basis_validates_the_regions_again(content, tmp_path, count):
    store = tmp_path / "cache"
    validate(content, jobs=1, cache_dir=store)
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace(
        "schedule_basis: month", "schedule_basis: day"), encoding="utf-8")
    count.clear()
    got = validate(content, jobs=1, cache_dir=store)
    assert {Path(p).parent.name for p in count} >= {"regions"}
    assert snapshot(got) == snapshot(validate(content, jobs=1))


def test_a_store_from_other_builder_code_is_ignored(content, tmp_path, count, monkeypatch):
    store = tmp_path / "cache"
    validate(content, jobs=1, cache_dir=store)
    monkeypatch.setattr(_recordstore, "SALT", "another version of the builder")
    count.clear()
    validate(content, jobs=1, cache_dir=store)
    assert len(count) == len(list(content.rglob("*.*")))


def test_a_recently_modified_file_is_hashed_not_trusted_by_its_stat(content, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    for p in content.rglob("*.*"):
        os.utime(p)  # modified now: younger than RACY_NS, so read and hashed every run
    validate(content, jobs=1, cache_dir=store)
    reads = []
    real_read = _recordstore.read_bytes

    def spy(path, *a, **k):
        reads.append(str(path))
        return real_read(path, *a, **k)

    monkeypatch.setattr(_recordstore, "read_bytes", spy)
    validate(content, jobs=1, cache_dir=store)
    assert any(p.endswith("alpha.yaml") for p in reads)
    old = 1_600_000_000
    for p in content.rglob("*.*"):
        os.utime(p, (old, old))
    validate(content, jobs=1, cache_dir=store)  # records the old stats
    reads.clear()
    validate(content, jobs=1, cache_dir=store)
    assert not [p for p in reads if p.endswith((".yaml", ".md"))]


def test_a_damaged_or_tampered_store_is_ignored_and_runs_nothing(content, tmp_path, count):
    store = tmp_path / "cache"
    fresh = snapshot(validate(content, jobs=1))
    store.mkdir()
    (store / "records.pickle").write_bytes(b"not a pickle")
    assert snapshot(validate(content, jobs=1, cache_dir=store)) == fresh
    saved = pickle.loads((store / "records.pickle").read_bytes())
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    saved["entries"] = {k: pickle.dumps(Evil()) for k in saved["entries"]}
    (store / "records.pickle").write_bytes(pickle.dumps(saved))
    count.clear()
    assert snapshot(validate(content, jobs=1, cache_dir=store)) == fresh
    assert not marker.exists()
    assert len(count) == len(list(content.rglob("*.*")))


def test_deleted_files_leave_the_store_and_an_unwritable_store_is_no_error(content, tmp_path):
    store = tmp_path / "cache"
    validate(content, jobs=1, cache_dir=store)
    before = pickle.loads((store / "records.pickle").read_bytes())
    (content / "projects" / "beta.yaml").unlink()
    validate(content, jobs=1, cache_dir=store)
    after = pickle.loads((store / "records.pickle").read_bytes())
    assert len(after["entries"]) == len(before["entries"]) - 1
    assert not any(p.endswith("beta.yaml") for p in after["stats"])
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    assert snapshot(validate(content, jobs=1, cache_dir=blocked)) == snapshot(validate(content, 1))


def test_the_store_keeps_entries_that_the_in_memory_cache_answered(content, tmp_path):
    store, memory = tmp_path / "cache", {}
    validate(content, jobs=1, cache=memory, cache_dir=store)
    n = len(pickle.loads((store / "records.pickle").read_bytes())["entries"])
    alpha = content / "projects" / "alpha.yaml"
    alpha.write_text(alpha.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    validate(content, jobs=1, cache=memory, cache_dir=store)
    assert len(pickle.loads((store / "records.pickle").read_bytes())["entries"]) == n
