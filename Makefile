# The two commands a fresh machine needs: `make run` and `make test`.
# durable-rules does not import on Python 3.13: prefer 3.12, then 3.11.
PYTHON ?= $(shell for v in python3.12 python3.11 python3; do \
  command -v $$v >/dev/null 2>&1 && $$v -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 13))' 2>/dev/null && { echo $$v; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint unit rules-test bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/icc-exposure serve

test: lint unit

lint: $(STAMP)
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/icc-exposure data validate
	$(BIN)/icc-exposure rules lint
	$(BIN)/icc-exposure rules test
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/batch.py
	bash bench/api.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
