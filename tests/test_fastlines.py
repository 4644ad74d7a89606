"""The fast paths give exactly what PyYAML's own path gives.

Two fast paths: `read_flat` reads a whole file written one value per line,
and `substitute` hands PyYAML a file whose ledger lines stand in as markers.
Every text here is parsed three ways (flat allowed; substitution only; PyYAML
only) and must give the same problems, the same values of the same types, and
the same position for every field, for fields that are not there, and for keys.
"""

import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from builder._yaml import parse_yaml

REPO = Path(__file__).resolve().parents[1]


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, prefix + (str(k),))
            yield prefix + (str(k), "nope")
            yield prefix + (str(k), 0)
        yield prefix + ("missing",)
        yield prefix + (0,)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, prefix + (i,))
        yield prefix + (len(value),)
        yield prefix + ("x",)


def typed(v):
    """A value with every type and Decimal exponent spelled out (1.0 != 1.00 here)."""
    if isinstance(v, dict):
        return [(typed(k), typed(x)) for k, x in v.items()]
    if isinstance(v, list):
        return [typed(x) for x in v]
    return (type(v).__name__, repr(v))


def _problems(ps):
    return [(p.line, p.column, p.code, p.field, p.source_line) for p in ps]


def same(text: str, offset: int = 0):
    """Parse three ways; assert they agree; return the default way's Document."""
    lines = tuple(("x\n" * offset + text).split("\n"))
    flat, pf = parse_yaml(text, "t.yaml", lines, offset)
    subst, pu = parse_yaml(text, "t.yaml", lines, offset, flat=False)
    slow, ps = parse_yaml(text, "t.yaml", lines, offset, fast_path=False)
    assert _problems(pf) == _problems(ps)
    assert _problems(pu) == _problems(ps)
    assert (flat is None) == (slow is None) == (subst is None)
    if slow is None:
        return None
    assert typed(flat.data) == typed(slow.data)
    assert typed(subst.data) == typed(slow.data)
    for p in list(paths(slow.data)) + [("zz",), (0,), ()]:
        want = slow.position(p)
        assert flat.position(p) == want, (p, "flat")
        assert subst.position(p) == want, (p, "substitute")
        want = slow.position(p, at_key=True)
        assert flat.position(p, at_key=True) == want, (p, "flat, at key")
        assert subst.position(p, at_key=True) == want, (p, "substitute, at key")
    every = frozenset(slow.data) if isinstance(slow.data, dict) else frozenset()
    assert flat.positions_at(2, every) == slow.positions_at(2, every)
    assert subst.positions_at(2, every) == slow.positions_at(2, every)
    return flat


LEDGER = "progress:\n  - {month: 2023-01, completed_ytd: 1.20, completed_cumulative: 3.4}\n"


def test_a_ledger_is_read_flat_and_its_lines_by_substitution_otherwise():
    doc = same(LEDGER)
    assert doc.flat is not None and doc.root is None
    assert doc.position(("progress", 0, "completed_ytd")) == (2, 37)
    doc, _ = parse_yaml(LEDGER, "t.yaml", flat=False)
    assert doc.fast, "the ledger line should have been read by the substitution"
    assert doc.position(("progress", 0, "completed_ytd")) == (2, 37)


def test_a_generated_project_file_is_read_flat(tmp_path):
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "40", str(tmp_path)],
                   check=True, capture_output=True)
    files = sorted((tmp_path / "content").glob("**/*.yaml"))
    projects = [f for f in files if f.parent.name == "projects"]
    assert len(projects) == 40
    for f in files:
        doc = same(f.read_text(encoding="utf-8"))
        if f in projects:
            assert doc.flat is not None, f


def test_every_yaml_file_of_the_demo_and_fixtures_parses_the_same_three_ways():
    files = sorted(REPO.glob("content/**/*.yaml")) + sorted(REPO.glob("tests/fixtures/**/*.yaml"))
    assert len(files) > 100
    flat = 0
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        doc = same(text)
        flat += doc is not None and doc.flat is not None
    assert flat > 50  # most of the demo's records are flat


def test_front_matter_of_every_bulletin_parses_the_same_three_ways():
    files = sorted(REPO.glob("content/**/*.md")) + sorted(REPO.glob("tests/fixtures/**/*.md"))
    for f in files:
        lines = f.read_text(encoding="utf-8").split("\n")
        if lines[0].rstrip() != "---":
            continue
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
        if end is not None:
            same("\n".join(lines[1:end]), offset=1)


def test_a_line_inside_a_block_of_text_stays_text():
    text = "summary: |\n  - {month: 2023-01, completed_ytd: 1}\nprogress: []\n"
    doc, _ = parse_yaml(text, "t.yaml")
    assert doc.data["summary"] == "- {month: 2023-01, completed_ytd: 1}\n"
    assert doc.flat is None
    same(text)


def test_what_the_flat_reader_leaves_to_pyyaml():
    for text in ["a: 'q'\n", "a: x # c\n", "a: x\n  y\n", "a:\n  b: 1\n", "a: [1,\n  2]\n",
                 "a: 1\na: 2\n", "true: 1\n", "a: &x 1\n", "a: .nan\n", "a: 2023-02-30\n",
                 "---\na: 1\n", "a: 1\n...\n", "a: [b, ]\n", "a:\n  - 1\n - 2\n", "  a: 1\n",
                 "a: {b: 1, b: 2}\n", "a: x\u2028y\n", "a: \tx\n", "\ufeffa: 1\n", "a: b: c\n",
                 "# only a comment\n", "a:\n  -\n"]:
        doc = same(text)
        assert doc is None or doc.flat is None, text


def test_empty_values_and_lists_are_read_flat():
    doc = same("a:\nb: []\nc: {}\nd:   \ne: [ ]\nf:\n- 1\n-   {x: 2}\n")
    assert doc.flat is not None
    assert doc.data == {"a": None, "b": [], "c": {}, "d": None, "e": [], "f": [1, {"x": 2}]}


TOKENS = ["2023-01", "2023-13", "2023-02-30", "1.2", "8.0", "1.20", "-5", "-.5", "- 5", "1_000",
          ".nan", ".inf", "~", "null", "Null", "yes", "true", "False", "约3亿", "０１", "'q'", '"d"',
          "a:b", "a: b", "x,y", "[1]", "{a: 1}", "[]", "{}", "[ ]", "&x", "*x", "!!str 3", "#c",
          "a #c", "2023-03-01T10:00:00", "0o17", "0123", "1e5", "完成 主体", "", " ", "@x", "`x`",
          "|", ">", "?", "?x", "%", "-x", "a-b", "x?y!z&w*", "a [b] ,c", "全角　", "x\u3000",
          "\ufeffx", "a\x85b", "<<", "=", "0x1F", "+1", "1.", ".5", "2023-1-5", "a\u2029b"]
KEYS = ["month", "completed_ytd", "id", "_k", "K1", "2023", "true", "null", "a b", "x:y", "键",
        "x-y", "on", "<<"]
SEPS = [": ", ":  ", ":", " : ", ": \t"]
GOOD_TOKENS = ["2023-01", "1.20", "8", "0", "-5", "约3亿", "完成 主体", "a-b", "x?y!z&w*", "null",
               "2023-03-31", "true", "a [b] ,c", "全角　", "+1", ".5", "1_000", "yes"]
scalars = st.sampled_from(GOOD_TOKENS * 4 + TOKENS)


def _flow(draw_items, mapping):
    inner = ", ".join(f"{k}: {v}" for k, v in draw_items) if mapping else ", ".join(draw_items)
    return "{" + inner + "}" if mapping else "[" + inner + "]"


values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3).map(lambda xs: _flow(xs, False)),
    st.lists(st.tuples(st.sampled_from(KEYS), scalars), max_size=3)
    .map(lambda xs: _flow(xs, True)),
    st.lists(st.lists(st.tuples(st.sampled_from(KEYS), scalars), max_size=2)
             .map(lambda xs: _flow(xs, True)), min_size=1, max_size=2)
    .map(lambda xs: "[" + ", ".join(xs) + "]"),
)
GOOD_KEYS = ["id", "name", "levels", "region", "_k", "K1", "progress"]
key_lines = st.builds(lambda k, sep, v, tail: f"{k}{sep}{v}{tail}",
                      st.sampled_from(GOOD_KEYS * 3 + KEYS), st.sampled_from([": "] * 6 + SEPS),
                      values, st.sampled_from([""] * 6 + [" ", "  # note"]))
item_lines = st.builds(lambda ind, sp, v: f"{ind}-{sp}{v}", st.sampled_from(["  "] * 3 + ["", "    "]),
                       st.sampled_from([" "] * 4 + ["  ", ""]), values)
lists = st.builds(lambda k, items: [f"{k}:"] + items, st.sampled_from(GOOD_KEYS + KEYS),
                  st.lists(item_lines, max_size=4))
other_lines = st.sampled_from(["", "  ", "# c", "  # c", "---", "...", "  more", "\tx: 1", "key:",
                               "- ", "-", "  - ", "a: |", "  b: 1"])
documents = st.lists(st.one_of(key_lines.map(lambda x: [x]), key_lines.map(lambda x: [x]), lists,
                               other_lines.map(lambda x: [x])), min_size=1, max_size=8
                     ).map(lambda parts: [line for part in parts for line in part])


@settings(max_examples=600, deadline=None)
@given(documents, st.sampled_from([0, 1, 3]))
def test_random_documents_parse_the_same_three_ways(lines, offset):
    same("\n".join(lines) + "\n", offset)


good = st.sampled_from(GOOD_TOKENS)
good_values = st.one_of(
    good, good, st.lists(good, max_size=3).map(lambda xs: _flow(xs, False)),
    st.lists(st.tuples(st.sampled_from(["a", "b", "2023", "c d"]), good), max_size=3,
             unique_by=lambda kv: kv[0]).map(lambda xs: _flow(xs, True)))
good_lists = st.builds(lambda ind, items: [f"{ind}- {v}" for v in items],
                       st.sampled_from(["", "  ", "    "]), st.lists(good_values, max_size=4))


@st.composite
def nearly_flat(draw):
    """A flat document, perhaps with one odd line or one odd value put in."""
    keys = draw(st.lists(st.sampled_from(GOOD_KEYS), min_size=1, max_size=6, unique=True))
    lines = []
    for k in keys:
        if draw(st.booleans()):
            lines.append(f"{k}: {draw(good_values)}")
        else:
            lines += [f"{k}:"] + draw(good_lists)
    odd = draw(st.one_of(st.none(), other_lines, values, item_lines))
    if odd is not None:
        i = draw(st.integers(0, len(lines)))
        if draw(st.booleans()) and i < len(lines):  # a value swapped for an odd one
            head = lines[i].split(": ", 1)[0] if ": " in lines[i] else lines[i]
            lines[i] = f"{head}: {odd}" if not head.lstrip().startswith("-") else f"{head[:-1]}{odd}"
        else:
            lines.insert(i, odd)
    return lines


@settings(max_examples=600, deadline=None)
@given(nearly_flat(), st.sampled_from([0, 1]))
def test_random_nearly_flat_documents_parse_the_same_three_ways(lines, offset):
    same("\n".join(lines) + "\n", offset)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["id", "name", "levels", "progress", "stage_dates"]),
                          values), min_size=1, max_size=4, unique_by=lambda kv: kv[0]),
       st.lists(st.lists(st.tuples(st.sampled_from(KEYS[:3]), st.sampled_from(TOKENS)),
                         max_size=4), max_size=4),
       st.sampled_from(["  ", "", "    "]))
def test_random_ledgers_parse_the_same_three_ways(fields, rows, indent):
    lines = [f"{k}: {v}" for k, v in fields if k != "progress"] + ["progress:"]
    for row in rows:
        inner = ", ".join(f"{k}: {v}" for k, v in row)
        lines.append(f"{indent}- {{{inner}}}")
    same("\n".join(lines) + "\n")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(["month", "completed_ytd", "completed_cumulative",
                                                    "image_progress", "note", "2023", "true",
                                                    "a b", "x:y", "键"]),
                                   st.sampled_from(TOKENS)),
                         min_size=0, max_size=4), min_size=1, max_size=4),
       st.sampled_from(["", " ", "  # note"]))
def test_random_ledger_lines_parse_the_same_three_ways(rows, tail):
    lines = ["id: p", "progress:"]
    for row in rows:
        inner = ", ".join(f"{k}: {v}" for k, v in row)
        lines.append(f"  - {{{inner}}}{tail}")
    same("\n".join(lines) + "\n")
