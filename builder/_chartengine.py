"""The drawing side of the chart stage: vl-convert, in this process or in worker processes.

What a drawing costs, and what this module does about it (a year's project progress
chart, one core of this 2-core machine; `bench/chart_bench.py` measures it):
- Text layout was 80-90 % of the 90-145 ms a chart took: vl-convert measures a text by
  laying it out with usvg, which opens, maps and parses the font file four times per
  character, and the CJK font is a 19 MB collection. The engine measures with a
  metrics-only copy of it instead (`_chartfont`), named first in the font list it is
  given; the SVG names the real fonts again, and comes out the same.
- Compiling Vega-Lite to Vega (5-8 ms) is done once per template (`_chartfill`), not
  once per chart: an `Engine` keeps each compiled template as JSON text cut at its
  placeholders, and a chart is that text with its words and rows put in.
- Workers are long-lived processes, one engine each, fed small chunks in turn so
  that none waits while another still has work; they get each template once and
  then only a chart's words and rows, and send back its SVG.
What is left is about 10 ms a chart, half of it the engine's cost per text (0.5 ms
each, whatever the font): `charts.project_progress` keeps its texts few.

Nothing here imports Altair, nor the `builder` package: a worker starts in 0.4 s.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from typing import IO, Any, Callable, Iterator, Mapping, Sequence

import vl_convert

__all__ = ["Engine", "Job", "draw_in_workers", "reason", "worker"]

Job = tuple  # (key, template id, slots, rows)

_MARK = "\ue000"  # `_chartfill.MARK`, not imported: that module imports Altair
_ROWS = json.dumps([{f"{_MARK}rows{_MARK}": 0}], ensure_ascii=False)
_PIECE = re.compile(re.escape(_ROWS) + f'|"{_MARK}([^"{_MARK}]+){_MARK}"|{_MARK}([^"{_MARK}]+){_MARK}')
_EXPR = re.compile(r'"(?:signal|expr|test|update|init)": $')
_WARM_UP = {"mark": "point", "data": {"values": [{}]}, "width": 1, "height": 1}
_REGISTERED: set[str] = set()  # font folders this process's engine has been given


def reason(err: Exception) -> str:
    """The engine's message without its JavaScript stack."""
    lines = [ln.strip() for ln in str(err).splitlines() if ln.strip()]
    useful = [ln for ln in lines if not ln.startswith("at ")]
    return " ".join(useful[:3]) or type(err).__name__


def _js(text: str) -> str:
    """`text` for inside a quoted string in a Vega expression: anything but letters and
    digits as a \\u escape (one UTF-16 unit each), so no quote or backslash can end it."""
    out = []
    for ch in text:
        if ch.isalnum() and ord(ch) < 0x10000:
            out.append(ch)
        else:
            units = ch.encode("utf-16-be")
            out += [f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2)]
    return "".join(out)


class Engine:
    """This process's vl-convert engine, with the metrics font (folder, family) if any."""

    def __init__(self, font: Sequence[str] | None = None):
        self._templates: dict[str, list] = {}
        self._font = tuple(font) if font else None
        self._strip = ""
        if self._font:
            folder, family = self._font
            if folder not in _REGISTERED:
                vl_convert.register_font_directory(folder)
                _REGISTERED.add(folder)
            self._strip = html.escape(f'"{family}", ', quote=True)

    def warm_up(self) -> None:
        """Start the engine (about 0.4 s, once per process)."""
        vl_convert.vegalite_to_svg(_WARM_UP)

    def define(self, tid: str, spec: Mapping[str, Any] | str) -> None:
        """Compile a template (a Vega-Lite spec with placeholders) to Vega, once."""
        if tid in self._templates:
            return
        vega = json.dumps(vl_convert.vegalite_to_vega(spec), ensure_ascii=False)
        if self._font:
            font = _font_of(spec)
            if font:  # measure with the metrics copy first; `svg` takes it out again
                vega = vega.replace(json.dumps(font)[1:-1],
                                    json.dumps(f'"{self._font[1]}", {font}')[1:-1])
        self._templates[tid] = _pieces(vega)

    def vega(self, tid: str, slots: Mapping[str, Any], rows: list) -> str:
        """The filled Vega spec, as JSON."""
        out = []
        for piece in self._templates[tid]:
            if isinstance(piece, str):
                out.append(piece)
            elif piece[0] == "rows":
                out.append(json.dumps(rows, ensure_ascii=False))
            elif piece[0] == "whole":
                out.append(json.dumps(slots[piece[1]], ensure_ascii=False))
            else:
                out.append(json.dumps(_js(slots[piece[1]]), ensure_ascii=False)[1:-1])
        return "".join(out)

    def svg(self, tid: str, slots: Mapping[str, Any], rows: list) -> str:
        """The chart drawn (raises ValueError with the engine's reason)."""
        svg = vl_convert.vega_to_svg(self.vega(tid, slots, rows))
        return svg.replace(self._strip, "") if self._strip else svg


def _font_of(spec: Mapping[str, Any] | str) -> str | None:
    config = (json.loads(spec) if isinstance(spec, str) else spec).get("config", {})
    return config.get("font")


def _pieces(vega: str) -> list:
    """The template's JSON text cut at its placeholders: text, ("rows",), ("whole", name)
    for a whole JSON string, ("inner", name) for one inside a quoted expression string."""
    pieces: list = []
    at = 0
    for m in _PIECE.finditer(vega):
        before = vega[at:m.start()]
        if m[2] is not None and not (before.endswith(('\\"', "'"))
                                     and vega[m.end():m.end() + 2] in ('\\"', "'")):
            raise ValueError(f"a chart text is outside a string in the Vega spec: {vega}")
        if m[1] is not None and (vega[m.end():m.end() + 1] == ":" or _EXPR.search(before)):
            raise ValueError(f"a chart text is a key or an expression in the Vega spec: {vega}")
        pieces += [before, ("rows",) if m[0] == _ROWS else
                   ("whole", m[1]) if m[1] is not None else ("inner", m[2])]
        at = m.end()
    pieces.append(vega[at:])
    return pieces


def _draw(engine: Engine, errors: dict[str, str], job: Sequence) -> list:
    key, tid, slots, rows = job
    if tid in errors:
        return [key, None, errors[tid]]
    try:
        return [key, engine.svg(tid, slots, rows), None]
    except Exception as err:  # the engine reports everything as ValueError; be sure
        return [key, None, reason(err)]


# --- Worker processes -------------------------------------------------------------------------
# Lines of JSON. In: the font ([folder, family] or null), then chunks of
# ["t", id, template] and ["c", key, id, slots, rows] lines, each chunk closed by ["end"].
# Out, per chunk: one [key, svg, reason] line per chart, then ["end"]. A worker reads a whole
# chunk before it draws, so neither side can block the other on a full pipe.

# This file alone, by its path: importing the `builder` package would cost a worker 0.15 s.
_WORKER = (f"import importlib.util as u; s = u.spec_from_file_location('_chartengine', "
           f"{os.path.abspath(__file__)!r}); e = u.module_from_spec(s); s.loader.exec_module(e); "
           "e.worker()")
_CHUNK = 12  # charts per request: small enough to keep both workers busy to the end


def worker(stdin: IO[str] | None = None) -> None:
    """A drawing process (see the protocol above). UTF-8 both ways, whatever the locale."""
    stdin = stdin or io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8")
    stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8")
    engine = Engine(json.loads(stdin.readline()))
    engine.warm_up()
    errors: dict[str, str] = {}
    batch: list = []
    for line in stdin:
        msg = json.loads(line)
        if msg[0] == "t":
            try:
                engine.define(msg[1], msg[2])
            except Exception as err:  # every chart of this template fails with the reason
                errors[msg[1]] = reason(err)
        elif msg[0] == "c":
            batch.append(msg[1:])
        else:
            out = [json.dumps(_draw(engine, errors, job), ensure_ascii=False) for job in batch]
            stdout.write("\n".join(out + ['["end"]']) + "\n")
            stdout.flush()
            batch = []


def draw_in_workers(jobs: Sequence[Job], templates: Mapping[str, str], font: Sequence[str] | None,
                    workers: int, done: Callable[[str, Any, Any], None],
                    worker_code: str = _WORKER) -> None:
    """Draw `jobs` in `workers` processes, calling `done(key, svg, reason)` (from this
    module's threads, one at a time) as each comes back; raises OSError if one fails.

    Fresh interpreters, not a multiprocessing pool: "fork" would copy a process whose
    engine may already run (the copy hangs), and "spawn" re-runs the caller's main
    script in every worker unless it is guarded by `if __name__ == "__main__"`."""
    chunks: Iterator[Sequence[Job]] = (jobs[i:i + _CHUNK] for i in range(0, len(jobs), _CHUNK))
    lock = threading.Lock()
    failures: list[str] = []
    errors: list[BaseException] = []  # not the workers' fault: raised again, as they are
    report = threading.Lock()

    def result(key: str, svg: Any, reason: Any) -> None:
        with report:
            done(key, svg, reason)

    def run() -> None:
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen([sys.executable, "-c", worker_code], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=err)
            try:
                _feed(proc, chunks, lock, templates, font, result)
                proc.stdin.close()
                if proc.wait() != 0:
                    raise OSError(f"exit status {proc.returncode}")
            except (OSError, ValueError) as exc:
                proc.kill()
                proc.wait()
                err.seek(0)
                tail = err.read().decode(errors="replace").strip().splitlines()[-1:]
                failures.append(f"a drawing process failed ({exc}): {' '.join(tail)}")
                with lock:  # the others stop at their next chunk
                    for _ in chunks:
                        pass
            except BaseException as exc:
                errors.append(exc)
                with lock:
                    for _ in chunks:
                        pass
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    if failures:
        raise OSError(failures[0])


def _feed(proc: subprocess.Popen, chunks: Iterator, lock: threading.Lock,
          templates: Mapping[str, str], font: Sequence[str] | None,
          result: Callable[[str, Any, Any], None]) -> None:
    """Keep one worker busy: send a chunk, then report the last one's charts while it draws."""
    sent: set[str] = set()
    proc.stdin.write((json.dumps(font) + "\n").encode("utf-8"))
    pending: list = []
    while True:
        with lock:
            chunk = next(chunks, None)
        if chunk is not None:
            lines = []
            for key, tid, slots, rows in chunk:
                if tid not in sent:
                    lines.append(json.dumps(["t", tid, templates[tid]], ensure_ascii=False))
                    sent.add(tid)
                lines.append(json.dumps(["c", key, tid, slots, rows], ensure_ascii=False))
            try:
                proc.stdin.write(("\n".join(lines + ['["end"]']) + "\n").encode("utf-8"))
                proc.stdin.flush()
            finally:
                for msg in pending:
                    result(*msg)
        else:
            for msg in pending:
                result(*msg)
            return
        pending = []
        while True:
            line = proc.stdout.readline()
            if not line:
                raise OSError("it stopped before it had drawn its charts")
            msg = json.loads(line.decode("utf-8"))
            if msg == ["end"]:
                break
            pending.append(msg)
