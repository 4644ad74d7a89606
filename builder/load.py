"""Stage 1, load: find the content files and parse each into a Document.

Every file is read as bytes and refused, with a Problem and never a
traceback, when it is too large, not UTF-8, holds NUL bytes, is a symlink out
of `content/`, or (for YAML) fails `_yaml.parse_yaml`. Markdown bulletins
are split into front matter (parsed as YAML with the file's own line numbers)
and body.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ._yaml import Document, parse_yaml
from .errors import Problem

__all__ = ["SourceFile", "MAX_FILE_BYTES", "discover", "read_bytes", "read_text", "parse_file",
           "Parsed", "display_path"]

MAX_FILE_BYTES = 2 * 1024 * 1024

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
        problems.append(Problem(display_path(site), 0, 0, (), "symlink",
                                "is a link to a file outside content/; copy the file in instead"))
    elif site.is_file():
        files.append(SourceFile("site", display_path(site), str(site), "site"))
    else:
        problems.append(Problem(display_path(site), 0, 0, (), "missing-file",
                                "content/ needs a site.yaml (the site's title, language and data date)"))
    for folder, ext in FOLDERS.items():
        d = content / folder
        if d.is_symlink() and not _within(d, root):
            problems.append(Problem(display_path(d), 0, 0, (), "symlink",
                                    "is a link to a folder outside content/; copy the files in instead"))
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
                                        f"is a link to {os.readlink(p)}, which does not exist"))
                continue
            if p is not None and not _within(p, root):  # resolving every file is slow
                problems.append(Problem(shown, 0, 0, (), "symlink",
                                        "is a link to a file outside content/; copy the file in instead"))
                continue
            if entry.is_dir():
                problems.append(Problem(shown, 0, 0, (), "stray-file",
                                        f"is a folder; {folder}/ holds only {ext} files", "warning"))
                continue
            if not entry.is_file():
                problems.append(Problem(shown, 0, 0, (), "stray-file",
                                        f"is not a {ext} file; {folder}/ holds only {ext} records",
                                        "warning"))
                continue
            if not entry.name.endswith(ext):
                alt = ".yml" if ext == ".yaml" else ".markdown"
                code = "extension" if entry.name.endswith(alt) else "stray-file"
                problems.append(Problem(shown, 0, 0, (), code,
                                        f"is not read: records in {folder}/ end in {ext}",
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
                                      f"is {size:,} bytes; files larger than {limit:,} bytes are refused")]
            with open(path, "rb") as fh:
                raw = fh.read(limit + 1)
        except OSError as err:
            return None, [Problem(shown, 0, 0, (), "unreadable",
                                  f"cannot be read: {err.strerror or err}")]
    if len(raw) > limit:
        return None, [Problem(shown, 0, 0, (), "too-large",
                              f"is larger than {limit:,} bytes and is refused")]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        col = len(raw[raw.rfind(b"\n", 0, err.start) + 1: err.start].decode("utf-8", "replace")) + 1
        hint = ""
        try:
            raw.decode("gb18030")
            hint = "; it looks like GBK/GB18030: save it as UTF-8"
        except UnicodeDecodeError:
            pass
        return None, [Problem(shown, line, col, (), "encoding",
                              f"is not UTF-8 text (byte 0x{raw[err.start]:02X}){hint}")]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        col = nul - text.rfind("\n", 0, nul)
        return None, [Problem(shown, line, col, (), "nul-byte",
                              "holds a NUL byte (binary data); is this the right file?")]
    if not text or text.isspace():  # (as `not text.strip()`, without the copy)
        return None, [Problem(shown, 1, 1, (), "empty", "the file is empty")]
    return text, []


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
            f.path, 1, 1, (), "front-matter",
            "a bulletin starts with front matter: a line `---`, the YAML fields (title, date …), "
            "and another line `---`", "error", lines[0]),))
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return Parsed(f, None, None, 0, (Problem(
            f.path, 1, 1, (), "front-matter",
            "the front matter opened on line 1 is never closed: add a line `---` after its fields",
            "error", lines[0]),))
    doc, problems = parse_yaml("\n".join(lines[1:end]), f.path, lines, line_offset=1)
    if doc is None and [p.code for p in problems] == ["empty"]:
        problems = [Problem(f.path, 1, 1, (), "front-matter",
                            "the front matter is empty; give at least `title` and `date`",
                            "error", lines[0])]
    body = "\n".join(lines[end + 1:])
    return Parsed(f, doc, body, end + 2, tuple(problems))
