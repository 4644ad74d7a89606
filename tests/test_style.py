"""Habits STYLE.md asks for that a machine can check."""

import ast
from pathlib import Path

BUILDER = Path(__file__).resolve().parents[1] / "builder"
STAGES = ["load", "validate", "derive", "chart", "render", "write"]


def modules():
    return sorted(p for p in BUILDER.rglob("*.py"))


def test_no_module_is_over_400_lines():
    long = {p.relative_to(BUILDER).as_posix(): n for p in modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, f"split these by concept: {long}"


def test_no_stage_imports_a_later_stage():
    for i, stage in enumerate(STAGES):
        path = BUILDER / f"{stage}.py"
        if not path.exists():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {node.module.lstrip(".") for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module and node.level}
        later = set(STAGES[i + 1:]) & imported
        assert not later, f"{stage}.py reaches forward into {later}"


def test_public_functions_have_type_hints():
    missing = []
    for p in modules():
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                if node.returns is None:
                    missing.append(f"{p.name}:{node.lineno} {node.name}")
    assert not missing, missing
