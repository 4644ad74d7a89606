"""Input that attacks: `bulletin build` on the hostile corpus, each case with its exact outcome.

Each folder of `tests/fixtures/hostile/` is one case, laid over a copy of
`tests/fixtures/good/content/` (as `tests/fixtures/bad/` is, whose cases are
not repeated here). Its `expected.txt` says what `bulletin build` must do:

- problem lines, exactly as the build prints them (after `# ` comment lines,
  which say what the case attacks; a line starting `re:` is a regular
  expression the printed line must match in full). The build then exits 1,
  says nothing was written, and `output/` is byte for byte the previous site;
- or, with an `output.txt` beside it, no errors: the build exits 0, prints the
  lines of `expected.txt` (warnings) for the case's own files, and every line
  of `output.txt` holds of the new site: `ROUTE contains TEXT` or `ROUTE lacks
  TEXT` (`*` for every file). These cases are built together, each in files
  of its own, in one build; no page of it may hold `unsafe_markup`: a script,
  handler, frame, style or `javascript:` link the templates never write.

Cases too big or too odd to commit (a 100 MB file, a 10 MB line, symlinks,
a FIFO, a newline or escape codes in a file name, Latin-1 in a .md that
tests/test_fastlines.py would read) are made at test time (`GENERATED`).
Every case must end within `SECONDS` of CPU and `PEAK_MB`, never in a
traceback, and write nothing outside `output/` and the cache folder (nor in
TMPDIR).

Each case runs `builder.cli.main`, the code behind the `bulletin` command,
in a process forked from a warm one (`Zygote`): a fresh interpreter per case
would cost the whole time budget in imports. The fork's CPU time and peak
memory come from the kernel (`wait4`); one still running at `WALL_LIMIT` is
killed and fails.
"""

from __future__ import annotations

import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD = FIXTURES / "good" / "content"
HOSTILE = FIXTURES / "hostile"

SECONDS = 5.0
PEAK_MB = 500
WALL_LIMIT = 60.0
#: A safety net under the measured bound: a runaway case fails instead of taking the machine.
#: (RLIMIT_DATA, not RLIMIT_AS: the chart engine reserves address space it never touches.)
DATA_LIMIT = 2 << 30

# --- the runner ----------------------------------------------------------------------------------

_ZYGOTE = r'''
import json, os, resource, signal, sys, time, traceback
from builder import cli
import builder.pipeline, builder.commands.build, builder.commands.check  # noqa: F401 (warm)
for line in sys.stdin:
    req = json.loads(line)
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            os.chdir(req["cwd"])
            with open(req["out"], "wb") as o, open(req["err"], "wb") as e:
                os.dup2(o.fileno(), 1)
                os.dup2(e.fileno(), 2)
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
            sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
            resource.setrlimit(resource.RLIMIT_DATA, (req["data"], req["data"]))
            code = cli.main(req["argv"])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    killed = False
    while True:
        got, status, usage = os.wait4(pid, os.WNOHANG)
        if got:
            break
        if time.monotonic() - start > req["timeout"]:
            os.kill(pid, signal.SIGKILL)
            killed = True
            got, status, usage = os.wait4(pid, 0)
            break
        time.sleep(0.002)
    print(json.dumps({"code": os.waitstatus_to_exitcode(status), "killed": killed,
                      "seconds": time.monotonic() - start, "cpu": usage.ru_utime + usage.ru_stime,
                      "peak_mb": usage.ru_maxrss / 1024}), flush=True)
'''


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str
    seconds: float  # wall clock, from fork to exit
    cpu: float  # user + system seconds of the command and what it waited for
    peak_mb: float
    killed: bool

    def no_traceback(self) -> None:
        assert "Traceback" not in self.stdout + self.stderr, self.stdout + self.stderr

    def within_bounds(self) -> None:
        """The bounds hold for the work itself: CPU time, not the wall clock, which on a
        shared machine measures the neighbours (a hang is still killed, at WALL_LIMIT)."""
        assert not self.killed, f"still running after {WALL_LIMIT} s"
        assert self.cpu <= SECONDS, f"took {self.cpu:.1f} s of CPU"
        assert self.peak_mb <= PEAK_MB, f"peaked at {self.peak_mb:.0f} MB"


class Zygote:
    """A warm interpreter that forks one child per command line."""

    def __init__(self, tmp: Path):
        self.tmp = tmp / "tmp"  # TMPDIR of every command: must stay empty
        self.tmp.mkdir(parents=True)
        self.logs = tmp
        env = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(self.tmp),
               "PYTHONIOENCODING": "utf-8"}
        self.proc = subprocess.Popen([sys.executable, "-c", _ZYGOTE], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env, cwd=tmp)

    def run(self, argv: list[str], cwd: Path, timeout: float = WALL_LIMIT) -> Outcome:
        out, err = self.logs / "stdout.txt", self.logs / "stderr.txt"
        req = {"argv": argv, "cwd": str(cwd), "out": str(out), "err": str(err),
               "data": DATA_LIMIT, "timeout": timeout}
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the zygote died"
        r = json.loads(line)
        return Outcome(r["code"], out.read_text("utf-8", "replace"), err.read_text("utf-8", "replace"),
                       r["seconds"], r["cpu"], r["peak_mb"], r["killed"])

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(30)


@pytest.fixture(scope="module")
def zygote(tmp_path_factory):
    z = Zygote(tmp_path_factory.mktemp("zygote"))
    yield z
    z.close()


@pytest.fixture(scope="module")
def previous(tmp_path_factory, zygote) -> tuple[Path, Path]:
    """(the good tree's site, the chart cache it warmed): the 'previous site' of every case."""
    base = tmp_path_factory.mktemp("previous")
    shutil.copytree(GOOD, base / "content")
    cache = tmp_path_factory.getbasetemp() / "bulletin-cache"  # shared: charts drawn once a session
    r = zygote.run(["build", "content", "--out", "output", "--cache", str(cache), "--jobs", "1"],
                   base, timeout=120)
    assert r.code == 0, r.stdout + r.stderr
    return base / "output", cache


# --- what a case holds ----------------------------------------------------------------------------

def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _big_file(content: Path) -> None:
    """100 MB of YAML comments after a valid head: refused by size, never read whole."""
    with open(content / "projects" / "gamma.yaml", "wb") as f:
        f.write(b"id: gamma\nname: \xe5\xa4\xa7\nregion: zhoukou\n")
        line = b"#" * 1023 + b"\n"
        for _ in range(100 * 1024):
            f.write(line)


def _long_line_file(content: Path) -> None:
    """A bulletin of one 10 MB line."""
    _write(content / "bulletins" / "2023-04-11-one-line.md", b"x" * (10 * 1024 * 1024))


def _long_line_under_limit(content: Path) -> None:
    """A 1.9 MB summary on one line: read, refused by length, quoted briefly."""
    text = (GOOD / "projects" / "beta.yaml").read_text("utf-8")
    _write(content / "projects" / "beta.yaml", (text + "summary: " + "长" * 650_000 + "\n").encode())


def _symlink_etc_passwd(content: Path) -> None:
    os.symlink("/etc/passwd", content / "projects" / "passwd.yaml")


def _symlink_loop(content: Path) -> None:
    os.symlink("loop.yaml", content / "projects" / "loop.yaml")


def _symlink_dev_zero(content: Path) -> None:
    os.symlink("/dev/zero", content / "regions" / "zero.yaml")


def _symlink_proc_environ(content: Path) -> None:
    os.symlink("/proc/self/environ", content / "regions" / "environ.yaml")


def _fifo(content: Path) -> None:
    os.mkfifo(content / "projects" / "pipe.yaml")  # opening it to read would wait forever


def _media_symlink_outside(content: Path) -> None:
    (content / "media").mkdir()
    os.symlink("/etc/passwd", content / "media" / "secret.png")


def _media_folder_outside(content: Path) -> None:
    os.symlink("/etc", content / "media")


def _latin1_in_body(content: Path) -> None:
    """(Made here: tests/test_fastlines.py reads every committed .md fixture as UTF-8.)"""
    path = content / "bulletins" / "2023-04-10-q1-review.md"
    text = path.read_text("utf-8").replace("\n---\n", "\n---\nCaf\u00e9\n", 1)
    path.write_bytes(text.encode("utf-8").replace("Caf\u00e9".encode(), "Caf\u00e9".encode("latin-1")))


def _escape_in_file_name(content: Path) -> None:
    """A file name that would recolour the terminal and clear the screen if printed raw."""
    src = (GOOD / "projects" / "beta.yaml").read_text("utf-8")
    _write(content / "projects" / "\x1b[2J\x1b[31mred.yaml", src.encode())


def _newline_in_file_name(content: Path) -> None:
    src = (GOOD / "bulletins" / "2023-04-10-q1-review.md").read_text("utf-8")
    _write(content / "bulletins" / "2023-04-11-line\n.md",
           src.replace("date: 2023-04-10", "date: 2023-04-11").encode())


GENERATED = {
    "huge-100mb-file": _big_file,
    "one-10mb-line": _long_line_file,
    "long-line-under-limit": _long_line_under_limit,
    "symlink-etc-passwd": _symlink_etc_passwd,
    "symlink-loop": _symlink_loop,
    "symlink-dev-zero": _symlink_dev_zero,
    "symlink-proc-environ": _symlink_proc_environ,
    "fifo-in-content": _fifo,
    "media-symlink-outside": _media_symlink_outside,
    "media-folder-outside": _media_folder_outside,
    "newline-in-file-name": _newline_in_file_name,
    "ansi-escape-in-file-name": _escape_in_file_name,
    "latin1-in-body": _latin1_in_body,
}

#: Builder defects a case found and that are not fixed yet: the case states the right
#: outcome and is a strict xfail, so the fix turns it into a failure to remove from here.
BUGS: dict[str, str] = {}


def _cases() -> list[str]:
    return sorted(p.name for p in HOSTILE.iterdir() if (p / "expected.txt").is_file())


CASES = _cases()


def _param(case: str):
    marks = [pytest.mark.xfail(strict=True, reason=BUGS[case])] if case in BUGS else []
    return pytest.param(case, marks=marks, id=case)


def apply_case(content: Path, case: str) -> None:
    """Lay the case's files over `content`, and make its generated ones."""
    src = HOSTILE / case
    for f in sorted(src.rglob("*")):
        if f.is_file() and f.name not in ("expected.txt", "output.txt"):
            _write(content / f.relative_to(src), f.read_bytes())
    if case in GENERATED:
        GENERATED[case](content)


def make_tree(root: Path, case: str) -> Path:
    content = root / "content"
    shutil.copytree(GOOD, content)
    apply_case(content, case)
    return content


def expected_lines(case: str) -> list[str]:
    text = (HOSTILE / case / "expected.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("# ")]


def output_rules(case: str) -> list[tuple[str, str, str]]:
    path = HOSTILE / case / "output.txt"
    if not path.is_file():
        return []
    rules = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("# "):
            continue
        m = re.fullmatch(r"(\S+) (contains|lacks) (.+)", line)
        assert m, f"{case}/output.txt: cannot read {line!r}"
        rules.append((m[1], m[2], m[3]))
    return rules


def problem_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line and not line.startswith("  ")]


def assert_lines(got: list[str], want: list[str]) -> None:
    ok = len(got) == len(want) and all(
        re.fullmatch(w[3:], g) if w.startswith("re:") else g == w for g, w in zip(got, want))
    assert ok, "printed:\n" + "\n".join(got) + "\n\nexpected:\n" + "\n".join(want)


def files_of(root: Path) -> dict[str, bytes | int | str]:
    """Every entry under root: the bytes of a file (the size of a large one), where a link
    points, "dir", or "special" (a FIFO is never opened)."""
    out: dict[str, bytes | int | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = "-> " + os.readlink(p)
            elif p.is_dir():
                out[rel] = "dir"
            elif p.is_file():
                out[rel] = p.stat().st_size if p.stat().st_size > 1 << 20 else p.read_bytes()
            else:
                out[rel] = "special"
    return out


# --- markup the templates never write ---------------------------------------------------------------

_NEVER = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "style"}
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
_OWN_SCRIPT = re.compile(r"^(\.\./)*(/[\w/-]*)?/?assets/\w+\.[0-9a-f]{10}\.js$")


class _Audit(html.parser.HTMLParser):
    """Markup that runs code, loads another host or restyles the page: the site's templates
    never write any of it, so in a built page it can only have come from the content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.svg_depth = 0

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        where = f"<{tag} {' '.join(a)}>".replace(" >", ">")
        for k, v in a.items():
            if k.startswith("on") or k in ("style", "srcdoc"):
                self.found.append(f"{where}: {k}")
            # As a browser reads a URL: tabs and line breaks anywhere are dropped, controls and
            # spaces at either end are trimmed (spaces inside stay: "java  script:" is a path).
            url = re.sub("[\t\n\r]", "", v).strip("".join(map(chr, range(33)))).lower()
            if k in _URL_ATTRS and url.startswith(("javascript:", "vbscript:", "data:", "file:")):
                self.found.append(f"{where}: {k}={v[:40]}")
        if tag == "script" and a.get("type") != "application/json" \
                and not _OWN_SCRIPT.match(a.get("src", "")):
            self.found.append(where + (f" src={a['src']}" if "src" in a else ""))
        if tag in _NEVER:
            self.found.append(where)
        if tag == "meta" and "http-equiv" in a and a["http-equiv"].lower() != "content-security-policy":
            self.found.append(f"{where}: http-equiv={a['http-equiv']}")
        if tag == "link" and "stylesheet" in a.get("rel", "") and not re.match(
                r"^(\.\./)*(/[\w/-]*)?/?assets/\w+\.[0-9a-f]{10}\.css$", a.get("href", "")):
            self.found.append(f"{where}: href={a.get('href')}")
        if tag == "form" and re.match(r"\s*(https?:)?//", a.get("action", "")):
            self.found.append(f"{where}: action={a['action']}")
        if tag == "svg":
            if self.svg_depth == 0 and a.get("role") != "img":
                self.found.append(f"{where}: an svg that is not a chart")
            self.svg_depth += 1

    def handle_endtag(self, tag):
        if tag == "svg" and self.svg_depth:
            self.svg_depth -= 1


def unsafe_markup(page: str) -> list[str]:
    audit = _Audit()
    audit.feed(page)
    audit.close()
    return audit.found


# --- the corpus ------------------------------------------------------------------------------------

def test_the_corpus_is_large_and_well_formed():
    assert len(CASES) >= 60, len(CASES)
    bad = {p.name for p in (FIXTURES / "bad").iterdir()}
    assert not bad & set(CASES), f"already in tests/fixtures/bad/: {bad & set(CASES)}"
    for case in CASES:
        overlay = [f for f in (HOSTILE / case).rglob("*")
                   if f.is_file() and f.name not in ("expected.txt", "output.txt")]
        assert overlay or case in GENERATED, f"{case} changes nothing"
        text = (HOSTILE / case / "expected.txt").read_text(encoding="utf-8")
        assert text.startswith("# "), f"{case}/expected.txt: say what it attacks on its first line"
        assert expected_lines(case) or output_rules(case), f"{case} expects nothing"
    assert set(GENERATED) <= set(CASES) and set(BUGS) <= set(CASES)


def test_the_audit_finds_what_it_looks_for():
    page = ('<html><head><script src="../assets/app.0123456789.js" defer></script></head><body>'
            '<p onclick="x()">a</p><a href=" javascript:x()">b</a><iframe src="/"></iframe>'
            '<script>alert(1)</script><p style="color:red">c</p><svg onload="x()"></svg></body></html>')
    assert unsafe_markup(page) == [
        "<p onclick>: onclick", "<a href>: href= javascript:x()", "<iframe src>",
        "<script>", "<p style>: style", "<svg onload>: onload", "<svg onload>: an svg that is not a chart"]


BUILD = ["build", "content", "--out", "output", "--jobs", "1", "--lang", "en"]
ERROR_CASES = [c for c in CASES if not output_rules(c)]
OUTPUT_CASES = [c for c in CASES if output_rules(c)]


def assert_wrote_nothing_else(root: Path, content_before: dict, zygote: Zygote) -> None:
    """Nothing written outside output/ and the cache: the content is as it was, nothing new
    beside it (an old site kept a few seconds for its readers is the write stage's own), and
    nothing in TMPDIR."""
    assert files_of(root / "content") == content_before
    assert {n for n in os.listdir(root) if not n.startswith(".output.old-")} == {"content", "output"}
    assert os.listdir(zygote.tmp) == []


@pytest.mark.parametrize("case", [_param(c) for c in ERROR_CASES])
def test_refused_with_a_clear_problem(tmp_path, zygote, previous, case):
    old_site, cache = previous
    content = make_tree(tmp_path, case)
    shutil.copytree(old_site, tmp_path / "output")
    before = files_of(content)
    r = zygote.run(BUILD + ["--cache", str(cache)], tmp_path)
    r.no_traceback()
    r.within_bounds()
    want = expected_lines(case)
    assert_lines(problem_lines(r.stdout), want)
    # What reaches the terminal is short and inert: a 2 MB line is quoted around its caret,
    # and no escape sequence or bidi override from the content is printed raw.
    assert max(map(len, r.stdout.splitlines()), default=0) <= 1000
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]",
                         r.stdout + r.stderr)
    assert r.code == 1, r.stdout + r.stderr
    assert r.stderr.strip().splitlines()[-1] == (
        "bulletin build: nothing was written; output/ is unchanged."), r.stderr
    assert files_of(tmp_path / "output") == files_of(old_site), "output/ changed"
    assert_wrote_nothing_else(tmp_path, before, zygote)


@pytest.fixture(scope="module")
def combined(tmp_path_factory, zygote, previous):
    """Every case that must build, in one tree and one build (each in files of its own):
    (outcome, {route: bytes}, {case: the content paths it made or changed})."""
    root = tmp_path_factory.mktemp("combined")
    content = root / "content"
    shutil.copytree(GOOD, content)
    owned: dict[str, set[str]] = {}
    for case in OUTPUT_CASES:
        before = files_of(content)
        apply_case(content, case)
        after = files_of(content)
        owned[case] = {f"content/{p}" for p in after if before.get(p) != after[p]}
        clash = [(c, owned[case] & paths) for c, paths in owned.items() if c != case and owned[case] & paths]
        assert not clash, f"{case} and {clash} change the same files"
    before = files_of(content)
    r = zygote.run(BUILD + ["--cache", str(previous[1])], root)
    assert_wrote_nothing_else(root, before, zygote)
    site = {k: v for k, v in files_of(root / "output").items() if isinstance(v, bytes)}
    return r, site, owned


@pytest.mark.parametrize("case", [_param(c) for c in OUTPUT_CASES])
def test_built_with_safe_output(combined, case):
    r, site, owned = combined
    r.no_traceback()
    r.within_bounds()
    assert r.code == 0, r.stdout + r.stderr
    mine = [line for line in problem_lines(r.stdout) if line.split(":")[0] in owned[case]]
    assert_lines(mine, expected_lines(case))
    for route, verb, text in output_rules(case):
        for rt in (sorted(site) if route == "*" else [route]):
            assert rt in site, f"{rt} was not built"
            found = text in site[rt].decode("utf-8", "replace")
            assert found == (verb == "contains"), f"{rt} {verb} {text!r}"


def test_no_built_page_has_markup_the_templates_never_write(combined):
    r, site, _ = combined
    assert r.code == 0, r.stdout + r.stderr
    pages = [rt for rt in site if rt.endswith(".html")]
    assert len(pages) >= len(OUTPUT_CASES)
    found = {rt: unsafe_markup(site[rt].decode("utf-8")) for rt in pages}
    assert {rt: f for rt, f in found.items() if f} == {}
