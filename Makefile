# Each target creates and uses .venv itself; nothing but python3 and make is needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: site check test bench bench-build clean schema

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.site-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

site: $(VENV)/.site-installed
	$(BIN)/bulletin build content --out output

check: $(VENV)/.site-installed
	$(BIN)/bulletin check content

schema: $(VENV)/.site-installed
	$(BIN)/bulletin schema --out schema --reference README.md

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest

$(VENV)/.bench-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	@touch $@

bench: $(VENV)/.bench-installed
	$(BIN)/python bench/check_bench.py

# Full builds and rebuilds beside Hugo (bench/README.md); long: see --skip-cold, --sizes
bench-build: $(VENV)/.bench-installed
	$(BIN)/python bench/run.py

clean:
	rm -rf output .output.* .cache .pytest_cache
