"""builder.schema: the JSON Schema and the README's data reference come from model.py."""

import json
import subprocess
import sys
from pathlib import Path

from builder.schema import END, SCHEMA_FILES, START, dump, json_schemas, reference_markdown

REPO = Path(__file__).resolve().parents[1]


def test_readme_data_reference_is_generated_from_the_model():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split(START, 1)[1].split(END, 1)[0]
    assert block == "\n" + reference_markdown(), "README data reference is stale: run `make schema`"


def test_committed_schema_files_are_current():
    for kind, schema in json_schemas().items():
        committed = (REPO / "schema" / SCHEMA_FILES[kind]).read_text(encoding="utf-8")
        assert committed == dump(schema), f"schema/{SCHEMA_FILES[kind]} is stale: run `make schema`"


def test_schema_describes_every_field_and_forbids_unknown_ones():
    project = json_schemas()["projects"]
    assert project["additionalProperties"] is False
    assert set(project["required"]) == {"id", "name", "region"}
    assert "annual_plan" in project["properties"]
    assert "年度计划" in project["properties"]["annual_plan"]["description"]
    figure = project["properties"]["total_investment"]["anyOf"]
    assert figure[0]["type"] == "number"
    assert figure[1]["properties"]["bound"]["enum"] == ["lower", "upper", "approx"]
    stage = project["properties"]["stage"]["enum"]
    assert "建设" in stage and "building" in stage


def test_bulletin_schema_command_writes_every_kind(tmp_path):
    out = tmp_path / "s"
    r = subprocess.run([sys.executable, "-m", "builder", "schema", "--out", str(out)],
                       capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(SCHEMA_FILES.values())
    for p in out.iterdir():
        json.loads(p.read_text(encoding="utf-8"))
