"""Turn `bulletin check --format json` into a GitLab Code Quality report.

    bulletin check content --format json > problems.json
    python gitlab_codequality.py problems.json > gl-code-quality-report.json

GitLab then lists each problem in the merge request, on its file and line
(`artifacts: reports: codequality` in deploy/gitlab-ci.yml). Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import sys

__all__ = ["codequality"]

_SEVERITY = {"error": "major", "warning": "minor"}


def codequality(problems: list[dict]) -> list[dict]:
    """One Code Quality issue per problem, with a stable fingerprint."""
    issues = []
    for p in problems:
        where = f"{p['path']}:{p.get('line') or 1}"
        field = f"{p['field']}: " if p.get("field") else ""
        key = "\0".join([p["path"], str(p.get("line")), p["code"], p.get("field") or "", p["message"]])
        issues.append({
            "description": f"{field}{p['message']}",
            "check_name": f"bulletin/{p['code']}",
            "fingerprint": hashlib.sha256(key.encode("utf-8")).hexdigest(),
            "severity": _SEVERITY.get(p.get("severity"), "info"),
            "location": {"path": p["path"], "lines": {"begin": int(p.get("line") or 1)}},
            "categories": ["Bug Risk"] if p.get("severity") == "error" else ["Style"],
            "content": {"body": where},
        })
    return issues


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: gitlab_codequality.py PROBLEMS.json > gl-code-quality-report.json",
              file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        text = f.read().strip()
    problems = json.loads(text) if text else []
    json.dump(codequality(problems), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
