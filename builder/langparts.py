"""Language of parts (WCAG 3.1.2): Chinese text in an English page is marked as such.

The English site shows every record field that has an English form (`name_en`,
`scope_en`, `summary_en`, …) in English, and the rest as the editor typed it: a
project's name, a source's title, a bulletin's body are often Chinese only.
`mark_chinese(html)` wraps each run of Chinese text of a rendered English page in
`<span lang="zh-CN">`, so that screen readers switch to a Chinese voice and browsers
choose a Chinese font, whichever template or field the text came from. An `<option>`
(which holds text only) gets the attribute itself. Left alone: text already inside an
element marked Chinese, attribute values (a title tooltip cannot be marked), and the
contents of <title>, <script>, <style>, <textarea> and inline SVG charts (the figure's
aria-label and its data table speak for a chart).
"""

from __future__ import annotations

import re

__all__ = ["mark_chinese", "HAN"]

#: CJK ideographs, CJK punctuation and full-width forms.
HAN = "\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_GLUE = r"A-Za-z0-9.%/·\-"  # letters and digits written onto Chinese words: 华思5G, 中科濮阳MMA
_BETWEEN = r"\s\d.,:;/()%·\-\u2014\u2018\u2019\u201c\u201d\u2026"  # 周口市 100 亩, 富士康(周口)
_RUN = re.compile(rf"[{_GLUE}]*[{HAN}]+[{_GLUE}]*(?:[{_BETWEEN}“”]*[{HAN}]+[{_GLUE}]*)*")
_HAS_HAN = re.compile(f"[{HAN}]")
_TOKEN = re.compile(r"<!--.*?-->|<[^>]*>|[^<]+", re.S)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")
_LANG = re.compile(r"""\slang\s*=\s*["']?([A-Za-z-]*)""")
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_RAW = frozenset(("title", "script", "style", "textarea", "svg"))
_OPEN = '<span lang="zh-CN">'


def mark_chinese(html: str) -> str:
    """The page with each run of Chinese text outside an element with `lang` marked zh-CN."""
    if not _HAS_HAN.search(html):
        return html
    out: list[str] = []
    stack: list[tuple[str, str, int]] = []  # (tag, its lang or "", index of its start tag in out)
    raw = ""  # inside <svg>, <script>…: skip to its end tag
    raw_depth = 0
    for m in _TOKEN.finditer(html):
        tok = m.group()
        if tok[0] == "<":
            out.append(tok)
            tag = _TAG.match(tok)
            if not tag or tok.startswith("<!"):
                continue
            closing, name = tag.group(1) == "/", tag.group(2).lower()
            if raw:
                if name == raw and not tok.endswith("/>"):
                    raw_depth += -1 if closing else 1
                    if raw_depth == 0:
                        raw = ""
                continue
            if closing:
                while stack:
                    if stack.pop()[0] == name:
                        break
            elif name in _RAW:
                if not tok.endswith("/>"):
                    raw, raw_depth = name, 1
            elif name not in _VOID and not tok.endswith("/>"):
                lang = _LANG.search(tok)
                stack.append((name, lang.group(1) if lang else "", len(out) - 1))
            continue
        if raw or not _HAS_HAN.search(tok) or _in_chinese(stack):
            out.append(tok)
            continue
        if stack and stack[-1][0] == "option":  # text only: the option itself says it
            _, _, at = stack[-1]
            out[at] = out[at][:-1].rstrip("/") + ' lang="zh-CN">'
            stack[-1] = ("option", "zh-CN", at)
            out.append(tok)
            continue
        out.append(_RUN.sub(lambda r: f"{_OPEN}{r.group()}</span>", tok))
    return "".join(out)


def _in_chinese(stack: list[tuple[str, str, int]]) -> bool:
    """Whether the nearest element with a `lang` says Chinese."""
    lang = next((lang for _, lang, _ in reversed(stack) if lang), "")
    return lang.lower().startswith("zh")
