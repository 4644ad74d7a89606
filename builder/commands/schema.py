"""`bulletin schema`: write the JSON Schema of every record kind (and the data reference)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..schema import SCHEMA_FILES, START, dump, json_schemas, reference_markdown, splice


HELP = "write the JSON Schema of every record kind"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="schema", help="folder to write into (default: schema)")
    p.add_argument("--reference", metavar="FILE",
                   help="also write the Markdown data reference to FILE")


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for kind, schema in json_schemas().items():
        (out / SCHEMA_FILES[kind]).write_text(dump(schema), encoding="utf-8")
    print(f"wrote {len(SCHEMA_FILES)} schema files to {out}/")
    if args.reference:
        ref = Path(args.reference)
        ref.parent.mkdir(parents=True, exist_ok=True)
        old = ref.read_text(encoding="utf-8") if ref.is_file() else ""
        # A file with the markers (the README) gets the reference spliced in.
        text = splice(old, reference_markdown()) if START in old else reference_markdown()
        ref.write_text(text, encoding="utf-8")
        print(f"wrote the data reference to {ref}")
    return 0
