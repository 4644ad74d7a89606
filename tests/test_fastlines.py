"""The progress-line fast path gives exactly what PyYAML's own path gives."""

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
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, prefix + (i,))


def same(text: str):
    fast, pf = parse_yaml(text, "t.yaml")
    slow, ps = parse_yaml(text, "t.yaml", fast_path=False)
    assert [(p.line, p.column, p.code, p.field) for p in pf] == \
        [(p.line, p.column, p.code, p.field) for p in ps]
    assert (fast is None) == (slow is None)
    if fast is None:
        return
    assert fast.data == slow.data
    assert [type(x) for x in paths(fast.data)] == [type(x) for x in paths(slow.data)]
    for p in paths(slow.data):
        assert fast.position(p) == slow.position(p), p
        assert fast.position(p, at_key=True) == slow.position(p, at_key=True), p


def test_the_fast_path_is_taken_for_ledger_lines():
    text = "progress:\n  - {month: 2023-01, completed_ytd: 1.20, completed_cumulative: 3.4}\n"
    doc, _ = parse_yaml(text, "t.yaml")
    assert doc.fast, "the ledger line should have been read by the fast path"
    assert doc.position(("progress", 0, "completed_ytd")) == (2, 37)
    same(text)


def test_every_yaml_file_of_the_demo_and_fixtures_parses_the_same_both_ways():
    files = sorted(REPO.glob("content/**/*.yaml")) + sorted(REPO.glob("tests/fixtures/**/*.yaml"))
    assert len(files) > 100
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        same(text)


def test_a_line_inside_a_block_of_text_stays_text():
    text = "summary: |\n  - {month: 2023-01, completed_ytd: 1}\nprogress: []\n"
    doc, _ = parse_yaml(text, "t.yaml")
    assert doc.data["summary"] == "- {month: 2023-01, completed_ytd: 1}\n"
    same(text)


TOKENS = ["2023-01", "2023-13", "2023-02-30", "1.2", "8.0", "-5", "- 5", "1_000", ".nan", ".inf",
          "~", "null", "yes", "true", "约3亿", "０１", "'q'", '"d"', "a:b", "a: b", "x,y", "[1]",
          "{a: 1}", "&x", "*x", "!!str 3", "#c", "2023-03-01T10:00:00", "0o17", "1e5", "完成 主体",
          "", " ", "@x", "`x`", "|", ">", "?", "%"]
KEYS = ["month", "completed_ytd", "completed_cumulative", "image_progress", "note", "2023", "true",
        "a b", "x:y", "键"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(TOKENS)),
                         min_size=0, max_size=4), min_size=1, max_size=4),
       st.sampled_from(["", " ", "  # note"]))
def test_random_ledger_lines_parse_the_same_both_ways(rows, tail):
    lines = ["id: p", "progress:"]
    for row in rows:
        inner = ", ".join(f"{k}: {v}" for k, v in row)
        lines.append(f"  - {{{inner}}}{tail}")
    same("\n".join(lines) + "\n")
