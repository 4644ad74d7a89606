"""Stage 1, load: find the content files and parse each into a Document.

Every file is read as bytes and refused, with a Problem and never a
traceback, when it is too large, not UTF-8, holds NUL bytes, is a symlink out
of `content/`, or (for YAML) fails `_yaml.parse_yaml`. Markdown bulletins
are split into front matter (parsed as YAML with the file's own line numbers)
and body.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ._yaml import Document, parse_yaml
from .errors import Problem
from .messages import Msg

__all__ = ["SourceFile", "MAX_FILE_BYTES", "discover", "read_bytes", "read_text", "parse_file",
           "Parsed", "display_path"]

MAX_FILE_BYTES = 2 * 1024 * 1024
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: Folders of `content/` and the extension their records use.
FOLDERS = {"regions": ".yaml", "projects": ".yaml", "campaigns": ".yaml", "bulletins": ".md"}
IGNORED = {".DS_Store", "Thumbs.db", ".gitkeep", "README.md"}


@dataclass(frozen=True)
class SourceFile:
    """A content file found on disk: its kind, its display path, its stem."""

    kind: str  # site | regions | projects | campaigns | bulletins
    path: str  # as shown to editors, e.g. content/projects/x.yaml
    fs_path: str
    stem: str


@dataclass(frozen=True)
class Parsed:
    """A parsed file: the front matter or record document, and a bulletin's body."""

    file: SourceFile
    doc: Document | None
    body: str | None
    body_line: int  # line number of the body's first line
    problems: tuple[Problem, ...]


def display_path(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _within(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def discover(content: Path) -> tuple[list[SourceFile], list[Problem]]:
    """All record files under `content/`, sorted; stray files are warned about."""
    files: list[SourceFile] = []
    problems: list[Problem] = []
    root = content.resolve()
    site = content / "site.yaml"
    if site.is_symlink() and not _within(site, root):
        problems.append(Problem(display_path(site), 0, 0, (), "symlink", Msg("file.link_outside")))
    elif site.is_file():
        files.append(SourceFile("site", display_path(site), str(site), "site"))
    else:
        problems.append(Problem(display_path(site), 0, 0, (), "missing-file", Msg("file.no_site")))
    for folder, ext in FOLDERS.items():
        d = content / folder
        if d.is_symlink() and not _within(d, root):
            problems.append(Problem(display_path(d), 0, 0, (), "symlink",
                                    Msg("file.folder_link_outside")))
            continue
        if not d.is_dir():
            continue
        shown_dir = display_path(d)  # once a folder: relpath per file cost 30 µs each
        for entry in sorted(os.scandir(d), key=lambda e: e.name):
            shown = f"{shown_dir}/{entry.name}"
            if entry.name in IGNORED or entry.name.startswith("."):
                continue
            p = Path(entry.path) if entry.is_symlink() else None  # (a Path per file is slow)
            if p is not None and not p.exists():
                problems.append(Problem(shown, 0, 0, (), "symlink",
                                        Msg("file.link_dangling", target=os.readlink(p))))
                continue
            if p is not None and not _within(p, root):  # resolving every file is slow
                problems.append(Problem(shown, 0, 0, (), "symlink", Msg("file.link_outside")))
                continue
            if entry.is_dir():
                problems.append(Problem(shown, 0, 0, (), "stray-file",
                                        Msg("file.stray_folder", folder=folder, ext=ext), "warning"))
                continue
            if not entry.is_file():
                problems.append(Problem(shown, 0, 0, (), "stray-file",
                                        Msg("file.stray", folder=folder, ext=ext), "warning"))
                continue
            if not entry.name.endswith(ext):
                alt = ".yml" if ext == ".yaml" else ".markdown"
                code = "extension" if entry.name.endswith(alt) else "stray-file"
                problems.append(Problem(shown, 0, 0, (), code,
                                        Msg("file.extension", folder=folder, ext=ext),
                                        "error" if code == "extension" else "warning"))
                continue
            files.append(SourceFile(folder, shown, entry.path, entry.name[: -len(ext)]))
    return files, problems


def read_bytes(path: str, limit: int = MAX_FILE_BYTES) -> bytes | None:
    """The file's bytes, or None when it cannot be read or is over `limit`
    (`read_text` then says why)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError:
        return None
    return raw if len(raw) <= limit else None


def read_text(path: str, shown: str, limit: int = MAX_FILE_BYTES,
              raw: bytes | None = None) -> tuple[str | None, list[Problem]]:
    """The file's text, normalised (BOM dropped, CRLF -> LF), or a Problem.

    `raw` is the file's bytes when the caller has read them already."""
    if raw is None:
        try:
            size = os.stat(path).st_size
            if size > limit:
                return None, [Problem(shown, 0, 0, (), "too-large",
                                      Msg("file.too_large", size=size, limit=limit))]
            with open(path, "rb") as fh:
                raw = fh.read(limit + 1)
        except OSError as err:
            return None, [Problem(shown, 0, 0, (), "unreadable", Msg("file.unreadable",
                                                                      reason=_reason(err)))]
    if len(raw) > limit:
        return None, [Problem(shown, 0, 0, (), "too-large", Msg("file.over_limit", limit=limit))]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    head = raw[:256]  # UTF-16 (a BOM, or a NUL beside every ASCII letter) before anything else
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) >= 4 and head.count(0) * 3 >= len(head)):
        return None, [Problem(shown, 1, 1, (), "encoding",
                              Msg("file.encoding", byte=raw[0], hint=Msg("file.utf16")))]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        col = len(raw[raw.rfind(b"\n", 0, err.start) + 1: err.start].decode("utf-8", "replace")) + 1
        hint = ""
        try:
            raw.decode("gb18030")
            hint = Msg("file.gbk")
        except UnicodeDecodeError:
            pass
        return None, [Problem(shown, line, col, (), "encoding",
                              Msg("file.encoding", byte=raw[err.start], hint=hint))]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _CONTROL.search(text)  # NUL: binary data; ESC and the rest: no text needs them
    if bad is not None:
        at = bad.start()
        line = text.count("\n", 0, at) + 1
        col = at - text.rfind("\n", 0, at)
        if bad[0] == "\x00":
            return None, [Problem(shown, line, col, (), "nul-byte", Msg("file.nul"))]
        return None, [Problem(shown, line, col, (), "control-character",
                              Msg("file.control", code=f"U+{ord(bad[0]):04X}"))]
    if not text or text.isspace():  # (as `not text.strip()`, without the copy)
        return None, [Problem(shown, 1, 1, (), "empty", Msg("file.empty"))]
    return text, []


def _reason(err: OSError) -> str:
    """Why a file cannot be read: the system's words, translated for the usual causes."""
    said = err.strerror or str(err)
    key = {errno.EACCES: "os.denied", errno.EPERM: "os.denied", errno.ENOENT: "os.gone",
           errno.EISDIR: "os.folder", errno.ELOOP: "os.loop"}.get(err.errno)  # type: ignore[arg-type]
    return Msg(key, said=said) if key and err.strerror else said


def parse_file(f: SourceFile, raw: bytes | None = None) -> Parsed:
    """Read (unless its bytes are given) and parse one file; problems instead of exceptions."""
    text, problems = read_text(f.fs_path, f.path, raw=raw)
    if text is None:
        return Parsed(f, None, None, 0, tuple(problems))
    if f.kind != "bulletins":
        doc, problems = parse_yaml(text, f.path)
        return Parsed(f, doc, None, 0, tuple(problems))
    lines = tuple(text.split("\n"))
    if lines[0].rstrip() != "---":
        return Parsed(f, None, None, 0, (Problem(
            f.path, 1, 1, (), "front-matter", Msg("bulletin.no_front_matter"), "error", lines[0]),))
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return Parsed(f, None, None, 0, (Problem(
            f.path, 1, 1, (), "front-matter", Msg("bulletin.front_matter_open"), "error",
            lines[0]),))
    doc, problems = parse_yaml("\n".join(lines[1:end]), f.path, lines, line_offset=1)
    if doc is None and [p.code for p in problems] == ["empty"]:
        problems = [Problem(f.path, 1, 1, (), "front-matter", Msg("bulletin.front_matter_empty"),
                            "error", lines[0])]
    body = "\n".join(lines[end + 1:])
    return Parsed(f, doc, body, end + 2, tuple(problems))
