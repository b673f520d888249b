# The two commands a fresh machine needs: `make run` and `make test`.
# durable-rules does not import on Python 3.13: prefer 3.12, then 3.11.
PYTHON ?= $(shell for v in python3.12 python3.11 python3; do \
  command -v $$v >/dev/null 2>&1 && $$v -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 13))' 2>/dev/null && { echo $$v; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint lint-js map-data unit rules-test bench install clean

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

lint: $(STAMP) lint-js
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench
	$(BIN)/mypy

# The page's JavaScript: ESLint from npm into a local, git-ignored node_modules (pinned by
# package-lock.json). Node is a development tool only; the page needs none at run time, so a
# machine without npm skips this check with a warning rather than failing the Python suite.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint-js:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory node_modules/.installed \
	  && npx --no-install eslint app/web eslint.config.js; \
	else echo "npm not found: JavaScript lint skipped (app/web/static/js)"; fi

# Rebuild app/web/static/world-map.json from Natural Earth (npm packages); the result is committed.
map-data: node_modules/.installed
	node app/web/tools/build_map.mjs

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
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache node_modules
