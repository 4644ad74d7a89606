"""Output routes: checked before anything is written under them (`write`).

A route is accepted only in its one canonical spelling, as a POSIX relative path
that stays inside the output folder, is a legal name on Windows and macOS too,
and does not clash with another route there (letter case, Unicode form, or a
file where another route needs a folder).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from .errors import BulletinError

__all__ = ["WriteError", "UnsafePath", "safe_route", "check_routes"]


class WriteError(BulletinError):
    """Raised when the output could not be written; the previous site is unchanged."""


class UnsafePath(WriteError):
    """Raised when a route could leave the output folder or clash with another route."""


_RESERVED = {"con", "prn", "aux", "nul", "conin$", "conout$"} | {
    f"{port}{n}" for port in ("com", "lpt") for n in "0123456789¹²³"}
_FORBIDDEN = frozenset('\\<>:"|?*')  # backslash, and what Windows forbids in names
_MAX_SEGMENT_BYTES = 255
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _segment_problem(seg: str) -> str | None:
    """Why one path segment is unsafe, or None."""
    if seg == "":
        return "it has an empty segment ('//', or a '/' at the start or end)"
    if seg in (".", ".."):
        return f"'{seg}' segments are not allowed"
    if _CONTROL.search(seg):
        return "it contains a control character"
    if _FORBIDDEN.intersection(seg):
        return 'it contains a backslash or a character Windows forbids (< > : " | ? *)'
    if seg[-1] in ". ":
        return f"{seg!r} ends with a dot or a space, which Windows drops"
    if seg.split(".", 1)[0].rstrip(" ").lower() in _RESERVED:
        return f"{seg!r} is a reserved device name on Windows"
    try:
        size = len(seg.encode("utf-8"))
    except UnicodeEncodeError:
        return "it is not valid Unicode"
    if size > _MAX_SEGMENT_BYTES:
        return f"a segment is {size} bytes long; file systems allow {_MAX_SEGMENT_BYTES}"
    if "%" in seg:  # a server or tool downstream may decode it, once or more
        decoded = unquote(unquote(unquote(seg)))
        if "/" in decoded or "\\" in decoded:
            return "it contains a percent-encoded slash or backslash"
        if decoded in (".", ".."):
            return "it contains a percent-encoded '.' or '..' segment"
        if _CONTROL.search(decoded):
            return "it contains a percent-encoded control character"
    return None


def safe_route(route: str) -> str:
    """Return `route` if it is a safe POSIX relative path, else raise UnsafePath.

    Nothing is repaired: a route is accepted only in its one canonical
    spelling (no `./`, `//`, `..`, leading or trailing `/`), so two accepted
    strings never name one file on Linux.
    """
    check_routes([route])
    return route


def _fold(segment: str) -> str:
    """The name a case- and normalisation-insensitive file system sees."""
    if segment.isascii():
        return segment.lower()
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", segment).casefold())


def check_routes(routes: list[str]) -> None:
    """Raise UnsafePath naming every bad route and every clash between two routes."""
    problems = []
    seen: dict[str, tuple[str, bool, str]] = {}  # folded prefix -> (prefix, is_file, route)
    memo: dict[str, tuple[str | None, str]] = {}  # segment -> (problem, folded)
    for route in routes:
        if not isinstance(route, str) or route.startswith("/"):
            why = "it is not text" if not isinstance(route, str) else "it is absolute"
            problems.append(f"{route!r}: {why}")
            continue
        segs = route.split("/")
        key = prefix = ""
        for i, seg in enumerate(segs):
            if (known := memo.get(seg)) is None:
                known = memo[seg] = (_segment_problem(seg), _fold(seg))
            if known[0]:
                problems.append(f"{route!r}: {known[0]}")
                break
            key += "/" + known[1]
            prefix, is_file = (prefix + "/" + seg if i else seg), i == len(segs) - 1
            prev = seen.setdefault(key, (prefix, is_file, route))
            if prev[0] != prefix:
                problems.append(f"{prev[2]!r} and {route!r} clash: {prev[0]!r} and {prefix!r} "
                                "differ only by letter case or Unicode form, so they are one "
                                "name on case-insensitive file systems (macOS, Windows)")
                break
            if prev[2] != route and (prev[1] or is_file):
                problems.append(f"{prev[2]!r} and {route!r} clash: {prefix!r} cannot be both "
                                "a file and a folder")
                break
    if len(problems) == 1:
        raise UnsafePath(f"unsafe output path {problems[0]}")
    if problems:
        more = f"\n  … and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise UnsafePath(f"{len(problems)} unsafe output paths:\n  "
                         + "\n  ".join(problems[:10]) + more)
