"""Stage 2, validate: documents -> typed records + every Problem, together.

Each file is checked on its own first (`validate_file`: structure, types,
rules within the record), which is what runs in parallel (this process and
`jobs - 1` workers share the files) and what the record store keeps on disk,
keyed by the file's bytes (`cache_dir`, see `_recordstore`); then the
cross-record pass checks what spans files (references, parents, figure
citations). Cross-record rules run only on records whose own fields passed.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import pickle
import re
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import collector, crossref, rules
from ._recordstore import RecordStore, read_stamped
from ._resolve import require_libyaml
from .blocks import scan_body
from .content import Bulletin, Content
from .errors import Problem, sort_problems
from .fields import BAD, Ctx, Record
from .load import SourceFile, discover, parse_file, read_text
from .messages import Msg
from .model import RECORDS
from .scalars import _WINDOWS_RESERVED

__all__ = ["FileCache", "FileResult", "validate_file", "validate", "PARALLEL_THRESHOLD"]

PARALLEL_THRESHOLD = 400
_BULLETIN_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$")
_LISTED = frozenset({"headline", "reports", "rankings", "problems", "events", "targets", "indicators",
           "batches"})
_SPECS = {kind: Record(cls) for kind, cls in RECORDS.items()}


@dataclass(frozen=True)
class FileResult:
    """What one file yields: its record (None if unusable), problems, references."""

    file: SourceFile
    record: Any
    problems: tuple[Problem, ...]
    refs: tuple[tuple, ...]  # (path, field path, kind, id, line, column)
    #: Positions of top-level fields (and headline items), for cross-record messages.
    where: dict = dataclasses.field(default_factory=dict)


#: fs path -> (stat signature, result): what `validate` may reuse between runs.
FileCache = dict[str, tuple[tuple, FileResult]]


def validate_file(f: SourceFile, site_basis: str = "month", raw: bytes | None = None) -> FileResult:
    """Parse and check one file on its own (`raw`: its bytes, if already read)."""
    parsed = parse_file(f, raw)
    problems = list(parsed.problems)
    doc = parsed.doc
    if doc is None:
        return FileResult(f, None, tuple(problems), ())
    ctx = Ctx(doc, frozenset(p.field for p in parsed.problems))
    record = _SPECS[f.kind].coerce(doc.data, (), ctx)
    problems.extend(ctx.problems)
    refs = [(f.path, fp, kind, target) + doc.position(fp) for fp, kind, target in ctx.refs]
    where = doc.positions_at(2, _LISTED)
    if record is BAD:
        return FileResult(f, None, tuple(problems), tuple(refs), where)
    if f.kind in ("regions", "projects", "campaigns"):
        if record.id != f.stem:
            problems.append(doc.problem(("id",), "id-mismatch",
                                        Msg("id.mismatch", id=record.id, stem=f.stem)))
    if f.kind == "projects":
        problems.extend(rules.check_project(record, doc))
    elif f.kind == "regions":
        problems.extend(rules.check_region(record, doc, site_basis))
    elif f.kind == "campaigns":
        problems.extend(rules.check_campaign(record, doc))
    elif f.kind == "site":
        problems.extend(rules.check_site(record, doc))
    elif f.kind == "bulletins":
        record = _bulletin(f, record, parsed, doc, problems, refs)
    return FileResult(f, record, tuple(problems), tuple(refs), where)


def _bulletin(f, meta, parsed, doc, problems, refs) -> Bulletin | None:
    m = _BULLETIN_NAME.fullmatch(f.stem)  # (`match` let "…-slug\n" through, as `$` does)
    if not m:
        problems.append(Problem(f.path, 0, 0, (), "bad-file-name", Msg("bulletin.file_name")))
        return None
    if m[2] in _WINDOWS_RESERVED:  # the slug is a folder of the site: bulletins/nul/ breaks a copy
        problems.append(Problem(f.path, 0, 0, (), "bad-file-name",
                                Msg("id.reserved", value=f'"{m[2]}"')))
        return None
    if m[1] != meta.date.isoformat():
        problems.append(doc.problem(("date",), "date-mismatch",
                                    Msg("bulletin.date_mismatch", date=meta.date, named=m[1])))
    for i, h in enumerate(meta.headline):
        refs.append((f.path, ("headline", i), "report", h) + doc.position(("headline", i)))
    charts, figure_refs, body_problems, chart_refs = scan_body(
        parsed.body or "", parsed.body_line, f.path, doc.lines)
    problems.extend(body_problems)
    refs.extend((f.path,) + r for r in chart_refs)
    return Bulletin(m[2], f.path, meta, parsed.body or "", parsed.body_line, tuple(charts),
                    tuple(figure_refs))


def _chunk(files: list[SourceFile], basis: str) -> list[FileResult]:
    with collector.paused(freeze=True):
        return [validate_file(f, basis) for f in files]


def _chunk_kept(files: list[SourceFile], basis: str) -> tuple[list[FileResult], list[tuple]]:
    """As `_chunk`, and each result kept for the record store: (stamp, pickled), the
    file read once for both (stamp None when it could not be read)."""
    results, kept = [], []
    with collector.paused(freeze=True):
        for f in files:
            raw, stamp = read_stamped(f, basis)
            r = validate_file(f, basis, raw)
            results.append(r)
            kept.append((stamp, pickle.dumps(_parts(r), protocol=pickle.HIGHEST_PROTOCOL)))
    return results, kept


def _parts(r: FileResult) -> tuple:
    return (r.record, r.problems, r.refs, r.where)


def _work(files: list[SourceFile], basis: str, keep: bool) -> list:
    """A worker's chunk, as it travels back: each result less its SourceFile, which
    the parent already has (pickling is a large part of what a worker costs), or
    what the record store keeps of it."""
    return _chunk_kept(files, basis)[1] if keep else [_parts(r) for r in _chunk(files, basis)]


def _validate_all(files: list[SourceFile], basis: str, jobs: int,
                  kept: list[tuple] | None = None) -> list[FileResult]:
    """Every file's result, in order, from this process and `jobs - 1` workers
    (and, into `kept`, what the record store keeps of each).

    The files go out in small chunks, in order; this process works through them
    from the end, taking each chunk no worker has started, until it meets one that
    a worker has. So the work splits itself by speed, and only the workers' part
    is pickled, while this process unpickles what comes back between its chunks."""
    keep = kept is not None
    if jobs <= 1 or len(files) < PARALLEL_THRESHOLD:
        if not keep:
            return _chunk(files, basis)
        results, mine = _chunk_kept(files, basis)
        kept.extend(mine)  # type: ignore[union-attr]
        return results
    size = max(50, len(files) // (jobs * 16))
    chunks = [files[i:i + size] for i in range(0, len(files), size)]
    done: list[list[FileResult] | None] = [None] * len(chunks)
    stored: list[list[tuple]] = [[] for _ in chunks]
    unpacked: list[list | None] = [None] * len(chunks)
    ready = [threading.Event() for _ in chunks]

    def unpack(i: int, fut: Future) -> None:
        # On the pool's thread as chunks arrive, so the stealing below feels its cost.
        try:
            if keep and not fut.cancelled() and fut.exception() is None:
                unpacked[i] = [pickle.loads(blob) for _stamp, blob in fut.result()]
        finally:
            ready[i].set()

    with ProcessPoolExecutor(max_workers=jobs - 1) as pool:
        futures = [pool.submit(_work, chunk, basis, keep) for chunk in chunks]
        for i, fut in enumerate(futures):
            fut.add_done_callback(functools.partial(unpack, i))
        for i in range(len(chunks) - 1, -1, -1):
            if not futures[i].cancel():
                break  # a worker has it, and every chunk before it
            if keep:
                done[i], stored[i] = _chunk_kept(chunks[i], basis)
            else:
                done[i] = _chunk(chunks[i], basis)
        for i, fut in enumerate(futures):
            if done[i] is None:
                parts = fut.result()
                if keep:
                    ready[i].wait()
                    stored[i], parts = parts, unpacked[i]
                done[i] = [FileResult(f, *p) for f, p in zip(chunks[i], parts)]
    if keep:
        kept.extend(k for part in stored for k in part)  # type: ignore[union-attr]
    return [r for part in done for r in part]  # type: ignore[union-attr]


def _validate_stored(files: list[SourceFile], basis: str, jobs: int,
                     store: RecordStore | None) -> list[FileResult]:
    """As `_validate_all`, taking unchanged files' results from the record store."""
    if store is None:
        return _validate_all(files, basis, jobs)
    out: list[FileResult | None] = []
    for f in files:
        hit = store.get(store.lookup(f, basis))
        out.append(None if hit is None else FileResult(f, *hit))
    missed = [i for i, r in enumerate(out) if r is None]
    kept: list[tuple] = []
    results = _validate_all([files[i] for i in missed], basis, jobs, kept)
    for i, r, (stamp, blob) in zip(missed, results, kept):
        out[i] = r
        if stamp is not None:
            store.record(files[i], stamp, blob)
    return out  # type: ignore[return-value]


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _signature(f: SourceFile, basis: str) -> tuple | None:
    """What a cached result of `f` is valid for: its stat and the site's basis."""
    try:
        st = os.stat(f.fs_path)
    except OSError:
        return None
    return (f.path, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, basis)


def _validate_cached(files: list[SourceFile], basis: str, jobs: int,
                     cache: FileCache | None, store: RecordStore | None = None) -> list[FileResult]:
    if cache is None:
        return _validate_stored(files, basis, jobs, store)
    sigs = [_signature(f, basis) for f in files]
    fresh = [f for f, sig in zip(files, sigs) if sig is None or cache.get(f.fs_path, (None,))[0] != sig]
    done = {r.file.fs_path: r for r in _validate_stored(fresh, basis, jobs, store)}
    out = []
    for f, sig in zip(files, sigs):
        r = done.get(f.fs_path)
        if r is None:
            r = cache[f.fs_path][1]
        elif sig is not None:
            cache[f.fs_path] = (sig, r)
        out.append(r)
    return out


def validate(content: Path, jobs: int | None = None, cache: FileCache | None = None,
             cache_dir: Path | None = None) -> Content:
    """Load and check the whole content tree; problems from every file at once.

    `cache` (kept by a long-running caller such as `bulletin serve`) maps a
    file to its last result and the stat it was read at; a file whose stat is
    unchanged is not read again. `cache_dir` keeps results on disk between
    runs, keyed by each file's bytes (see `_recordstore`).
    """
    require_libyaml()  # here, before any worker starts
    content = Path(content)
    files, problems = discover(content)
    if cache is not None:
        for gone in set(cache) - {f.fs_path for f in files}:
            del cache[gone]
    store = RecordStore(Path(cache_dir)) if cache_dir is not None else None
    site_files = [f for f in files if f.kind == "site"]
    site_result = (_validate_cached(site_files[:1], "month", 1, cache, store)[0]
                   if site_files else None)
    basis = site_result.record.schedule_basis if site_result and site_result.record else "month"
    others = [f for f in files if f.kind != "site"]
    with collector.paused(freeze=True):
        results = ([site_result] if site_result else []) + _validate_cached(
            others, basis, default_jobs() if jobs is None else jobs, cache, store)
    if store is not None:
        store.save({f.path for f in files})
    site = site_result.record if site_result else None
    by_kind: dict[str, dict[str, Any]] = {"regions": {}, "projects": {}, "campaigns": {}}
    paths: dict[tuple[str, str], str] = {}
    bulletins = []
    refs: list[tuple] = []
    where: dict[str, dict] = {}
    for r in results:
        problems.extend(r.problems)
        where[r.file.path] = r.where
        refs.extend(r.refs)
        if r.record is None:
            continue
        if r.file.kind in by_kind:
            by_kind[r.file.kind][r.record.id] = r.record
            paths[(r.file.kind[:-1], r.record.id)] = r.file.path
        elif r.file.kind == "bulletins":
            bulletins.append(r.record)
            paths[("bulletin", r.record.slug)] = r.file.path
    regions, projects, campaigns = by_kind["regions"], by_kind["projects"], by_kind["campaigns"]
    problems.extend(_cross(site, regions, projects, campaigns, bulletins, refs, paths, files,
                           where, problems, _media(content)))
    problems = _quote_lines(problems, {f.path: f.fs_path for f in files})
    return Content(site, regions, projects, campaigns, tuple(sorted(bulletins, key=lambda b: b.path)),
                   paths, tuple(sort_problems(problems)), where, len(files))


def _media(content: Path) -> dict[str, None]:
    """Files under content/media/ (not following links out of it), by relative name."""
    root = (content / "media")
    if not root.is_dir() or root.is_symlink():
        return {}
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.is_symlink():
            out[p.relative_to(root).as_posix()] = None
    return out


def _quote_lines(problems: list[Problem], fs_paths: dict[str, str]) -> list[Problem]:
    """Add the quoted source line to problems found after the files were put away."""
    need = {p.path for p in problems if p.line > 0 and p.source_line is None and p.path in fs_paths}
    lines = {}
    for path in need:
        text, _ = read_text(fs_paths[path], path)
        lines[path] = text.split("\n") if text else []
    out = []
    for p in problems:
        src = lines.get(p.path)
        if src and p.source_line is None and 0 < p.line <= len(src):
            p = dataclasses.replace(p, source_line=src[p.line - 1])
        out.append(p)
    return out


def _cross(site, regions, projects, campaigns, bulletins, refs, paths, files, where, problems,
           media) -> list[Problem]:
    def at(path: str, fp: tuple, code: str, message: str, severity: str = "error") -> Problem:
        line, col = where.get(path, {}).get(fp, (0, 0))
        return Problem(path, line, col, fp, code, message, severity)  # type: ignore[arg-type]

    sources = dict(site.sources or {}) if site else {}
    # A record whose own file failed is "known" for references, so one bad file
    # does not cascade into a hundred unknown-reference errors.
    known: dict[str, dict] = {"region": dict(regions), "project": dict(projects),
                              "campaign": dict(campaigns), "source": sources,
                              "report": {f"{rid}/{rep.key}": rep for rid, r in regions.items()
                                         for rep in r.reports}}
    for f in files:
        kind = {"regions": "region", "projects": "project", "campaigns": "campaign"}.get(f.kind)
        if kind and f.stem not in known[kind]:
            known[kind][f.stem] = None
            if kind == "region":  # its reports are unknown too: do not cascade
                known["report"].update({f"{f.stem}/*": None})
    # Kinds that could not be read at all (a refused folder, a failed site.yaml)
    # cannot be checked against: skip rather than report every reference.
    unread = {kind for kind, folder in (("region", "regions"), ("project", "projects"),
                                        ("campaign", "campaigns"))
              if any(p.code == "symlink" and Path(p.path).name == folder for p in problems)}
    if site is None:
        unread.add("source")
    known["media"] = media
    out = crossref.check_references([r for r in refs if r[2] not in unread], known)
    parent_refs = {r[0]: r for r in refs if r[1] == ("parent",) and r[2] == "region"}
    parent_at = {rid: parent_refs[paths[("region", rid)]] for rid, reg in regions.items()
                 if reg.parent and paths[("region", rid)] in parent_refs}
    out.extend(crossref.check_parents(regions, parent_at))
    if site is not None and site.sectors:
        allowed = {s.id for s in site.sectors} | {s.name for s in site.sectors}
        for pid, p in projects.items():
            if p.sector is not None and p.sector not in allowed:
                out.append(at(paths[("project", pid)], ("sector",), "unknown-reference", Msg(
                    "ref.sector", sector=p.sector, allowed=", ".join(s.name for s in site.sectors))))
    names: dict[str, str] = {}
    for pid in sorted(projects):
        for name in (projects[pid].name,) + tuple(projects[pid].aliases):
            if name in names and names[name] != pid:
                out.append(at(paths[("project", pid)], ("name",), "duplicate-name",
                              Msg("project.name_taken", name=name, other=names[name]), "warning"))
            names.setdefault(name, pid)
    with_errors = {p.path for p in problems + out if p.severity == "error"}
    broken = frozenset(key for key, path in paths.items() if path in with_errors)
    for b in bulletins:
        for ref in b.figure_refs:
            if ref.kind in unread or known.get(ref.kind, {}).get(ref.target, True) is None:
                continue  # the target's own file failed; its errors say why
            msg = crossref.check_figure_ref(ref, regions, projects, campaigns, broken)
            if msg:
                out.append(Problem(b.path, ref.line, ref.column, (), "unknown-reference",
                                   Msg("ref.at", raw=ref.raw, problem=msg)))
    return out

