"""The built wheel on its own: `pip install git+…` gives a `bulletin build` that works.

The wheel is built from a copy of the source (so nothing is written into the
repository), unpacked into a folder, and run from a site folder that has no
`site_templates/` of its own and no repository around it: the templates,
their words, the CSS and scripts and the message catalogs must all come from
the wheel (builder/session.py `default_templates`).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    from pip._vendor import tomli as tomllib  # type: ignore[no-redef]

REPO = Path(__file__).resolve().parents[1]
GOOD = REPO / "tests" / "fixtures" / "good" / "content"
SOURCES = ("pyproject.toml", "README.md", "builder", "site_templates")


def _builds_wheels_here() -> bool:
    """Whether this environment's setuptools makes wheels by itself (bdist_wheel is built
    in from setuptools 70.1, before that it came from the `wheel` package). If not, pip
    builds in an isolated environment from its configured index."""
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return False
    major, minor = (int(p) for p in (version.split(".") + ["0"])[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def _wheel(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO / name, src / name)
    dist = tmp_path / "dist"
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), "."]
    if _builds_wheels_here():
        cmd.insert(4, "--no-build-isolation")
    r = subprocess.run(cmd, cwd=src, capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stdout + r.stderr
    [wheel] = dist.glob("progress_bulletin-*.whl")
    return wheel


def test_every_folder_of_the_package_is_listed_in_pyproject():
    """A folder missing from `packages` loses its modules (or setuptools warns it will)."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    listed = set(config["setuptools"]["packages"])
    folders = {"builder." + ".".join(p.relative_to(REPO / "builder").parts)
               for p in (REPO / "builder").rglob("*") if p.is_dir() and p.name != "__pycache__"}
    folders |= {"builder.site_templates" + "".join("." + part for part in
                                                   p.relative_to(REPO / "site_templates").parts)
                for p in [REPO / "site_templates", *(REPO / "site_templates").rglob("*")]
                if p.is_dir()}
    assert folders | {"builder"} == listed, sorted(folders ^ listed)


def test_the_installed_wheel_builds_a_site_with_its_own_templates(tmp_path):
    wheel = _wheel(tmp_path)
    lib = tmp_path / "lib"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        z.extractall(lib)
    want = {f"builder/{f}" for f in _files(REPO / "builder")}
    want |= {f"builder/site_templates/{f}" for f in _files(REPO / "site_templates")}
    assert not want - names, sorted(want - names)
    assert "builder/site_templates/i18n/zh-CN.yaml" in names and "builder/catalogs/en.yaml" in names

    site = tmp_path / "site"  # no site_templates/ here, and no repository around the package
    shutil.copytree(GOOD, site / "content")
    script = ("import sys, builder; from builder.cli import main; "
              "from builder.session import default_templates; "
              "print(builder.__file__); print(default_templates()); "
              "sys.exit(main(sys.argv[1:]))")
    env = {**os.environ, "PYTHONPATH": str(lib), "PYTHONIOENCODING": "utf-8"}
    r = subprocess.run([sys.executable, "-c", script, "build", "content", "--out", "out",
                        "--cache", str(tmp_path / "cache"), "--jobs", "1"],
                       cwd=site, env=env, capture_output=True, text=True, encoding="utf-8",
                       timeout=240)
    assert r.returncode == 0, r.stdout + r.stderr
    package, templates = r.stdout.splitlines()[:2]
    assert Path(package) == lib / "builder" / "__init__.py"
    assert Path(templates) == lib / "builder" / "site_templates"

    out = site / "out"
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "周口市重点项目建设进度" in home  # the fixture's title, through the wheel's base.html
    for route in ("projects/alpha/index.html", "projects/beta/index.html",
                  "regions/shenqiu/index.html", "404.html", "favicon.ico"):
        assert (out / route).is_file(), route
    css = [p.name for p in (out / "assets").glob("app.*.css")]
    assert css and css[0] in home  # the bundled stylesheet, fingerprinted and linked
