"""Line breaks for the words of a chart: Vega wraps neither titles nor axis labels.

Widths are estimates (a CJK character is one em wide, anything else about 0.56 em),
so callers keep a margin below the width they have. Breaks fall between CJK
characters or at spaces, never inside a Latin word or number, never before a
closing mark nor after an opening one.
"""

from __future__ import annotations

import re

__all__ = ["text_width", "title_lines", "label_lines"]

_NO_LINE_START = set("，。、；：！？）》」』】〉”’,.;:!?)%")
_NO_LINE_END = set("（《「『【〈“‘(")
_PIECES = re.compile(r"[\u2e80-\uffff]|[^\u2e80-\uffff\s]+|\s+")
_BRACKET = re.compile(r"(?<=\S)\s*[（(]")


def text_width(text: str, size: float) -> float:
    """The estimated width of `text` in pixels at a font size of `size` pixels."""
    return sum(size * (1.0 if ord(ch) >= 0x2E80 else 0.56) for ch in text)


def _wrap(text: str, size: float, limit: float) -> list[str]:
    lines, line = [], ""
    for piece in _PIECES.findall(text):
        if line and text_width(line + piece, size) > limit and piece[0] not in _NO_LINE_START:
            carry = ""
            while line and line[-1] in _NO_LINE_END:  # an opening mark goes with what it opens
                line, carry = line[:-1], line[-1] + carry
            lines.append(line.rstrip())
            line = carry + piece.lstrip()
        else:
            line += piece
    lines.append(line)
    return lines


def title_lines(title: str, size: float, limit: float) -> str | list[str]:
    """A title in lines that fit `limit` pixels: the string itself when it fits on one."""
    lines = _wrap(title, size, limit)
    if len(lines) > 1 and len(lines[-1]) == 1 and len(lines[-2]) > 2:  # no lone last character
        head, ch = lines[-2][:-1], lines[-2][-1]
        if ord(ch) >= 0x2E80 and ch not in _NO_LINE_START and head[-1] not in _NO_LINE_END:
            lines[-2:] = [head, ch + lines[-1]]
    return lines[0] if len(lines) == 1 else lines


def label_lines(label: str, size: float, limit: float, most: int = 3) -> str:
    """A category label in at most `most` lines joined by "\\n": a new line at " · " and,
    where the label is too wide, before a bracket, then at a space before anywhere else;
    what does not fit in `most` lines stays on the last (the axis cuts it off with "…")."""
    def fit(line: str) -> list[str]:  # one word too wide: break inside it
        return _wrap(line, size, limit) if text_width(line, size) > limit else [line]

    parts: list[str] = []
    for part in label.split(" · "):
        m = _BRACKET.search(part)  # too wide: a bracketed remark starts a line of its own
        if m and text_width(part, size) > limit:
            parts += [part[:m.start()].rstrip(), part[m.start():]]
        else:
            parts.append(part)
    lines: list[str] = []
    for part in parts:
        line = ""
        for word in part.split(" "):
            joined = f"{line} {word}" if line else word
            if not line or text_width(joined, size) <= limit:
                line = joined
            else:
                lines += fit(line)
                line = word
        lines += fit(line)
    if len(lines) > most:
        lines[most - 1:] = [" ".join(lines[most - 1:])]
    return "\n".join(lines)
