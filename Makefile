# The two commands a fresh machine needs: `make run` and `make test`.
#
# Supported: CPython 3.11, 3.12 and 3.13 (pyproject.toml's requires-python). The first of
# python3.13, python3.12, python3.11, python3 that runs and is supported is used, newest first
# (the longest-supported one); `make test PYTHON=/path/to/python3.x` chooses another.
SUPPORTED := 3.11, 3.12 or 3.13
PROBE := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))
# `command -v` is not enough: pyenv puts shims on PATH for versions that are not selected.
PYTHON ?= $(shell for v in python3.13 python3.12 python3.11 python3; do \
  $$v -c '$(PROBE)' >/dev/null 2>&1 && { echo $$v; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Which interpreter a venv was made from (implementation, version, base prefix). The venv is
# rebuilt when it differs from the chosen one (e.g. after a failed try with another Python).
IDENT := import sys, platform; print(platform.python_implementation(), \
  platform.python_version(), sys.base_prefix)
PY_ID := $(strip $(shell $(PYTHON) -c '$(PROBE)' 2>/dev/null && $(PYTHON) -c '$(IDENT)' 2>/dev/null))
VENV_ID := $(strip $(shell $(BIN)/python -c '$(IDENT)' 2>/dev/null))
# durable-rules 2.0.28's C extension calls PyEval_CallObject, removed in 3.13; its setup.py
# overwrites CFLAGS, so the alias goes in through CPPFLAGS. The wheel is built here and never
# taken from (or put in) pip's cache, where a cp313 wheel built without the define may sit.
DURABLE := $(shell sed -n 's/^ *"\(durable-rules[^"]*\)".*/\1/p' pyproject.toml)

.PHONY: run test lint lint-js map-data unit rules-test bench install clean FORCE

ifneq ($(PY_ID),$(VENV_ID))
$(STAMP): FORCE
endif

$(STAMP): pyproject.toml
	@test -n "$(PY_ID)" || { echo "No supported Python found$(if $(PYTHON), ($(PYTHON) is not one)): icc-exposure needs CPython $(SUPPORTED); install one or point make at it: make test PYTHON=/path/to/python3.13"; exit 1; }
	@if [ "$(PY_ID)" != "$(VENV_ID)" ] && [ -e $(VENV) ]; then \
	  echo "$(VENV) was made by another Python ($(or $(VENV_ID),unusable)): rebuilding it with $(PYTHON)"; \
	  rm -rf $(VENV); fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	@if $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 13))'; then \
	  echo "building $(DURABLE) with -DPyEval_CallObject=PyObject_CallObject (Python 3.13)"; \
	  CPPFLAGS="$$CPPFLAGS -DPyEval_CallObject=PyObject_CallObject" \
	    $(BIN)/pip install -q --no-cache-dir --no-binary durable-rules '$(DURABLE)'; fi
	$(BIN)/pip install -q -e '.[dev]'
	echo '$(PY_ID)' > $(STAMP)

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
	@$(BIN)/python -c 'import sys; print("Python", sys.version.split()[0], "in $(VENV)")'
	$(BIN)/icc-exposure data validate
	$(BIN)/icc-exposure rules lint
	$(BIN)/icc-exposure rules test
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/batch.py
	bash bench/api.sh
	@if command -v wrk >/dev/null; then $(BIN)/python bench/mixed_wrk.py; \
	  else echo "wrk is not installed: bench/mixed_wrk.py skipped (apt-get install wrk)"; fi

clean:
	rm -rf $(VENV) .venv-* .pytest_cache .mypy_cache .ruff_cache node_modules
