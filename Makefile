# HB: `make run` serves the app on http://localhost:3000, `make test` runs every test.
# Everything is installed inside the checkout (.venv, .tools), offline-safe: only PyPI,
# npm and Debian packages are needed.

SHELL := /bin/bash
.DEFAULT_GOAL := help

ROOT := $(abspath .)
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
TOOLS := $(ROOT)/.tools
UV := $(TOOLS)/uv/bin/uv
UV_VERSION := 0.13.9
BUN_VERSION := 1.4.5
BUN_DIR := $(TOOLS)/js/node_modules/@oven/bun-linux-x64/bin
BUN := $(BUN_DIR)/bun
PORT ?= 3000

# Reflex must not download bun from GitHub (no internet): it uses the bun from npm.
export PATH := $(BUN_DIR):$(VENV)/bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export NPM_CONFIG_REGISTRY ?= $(shell npm config get registry 2>/dev/null)
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
export PYTHONDONTWRITEBYTECODE := 1

LOCALES := fi sv en
POT := locales/messages.pot
BABEL_KEYWORDS := -k T -k t -k N_ -k ngettext:1,2

.PHONY: help setup run run-prod bench reliability test test-fast test-browser db seed locales-extract \
        locales-update locales-compile locales-check chromium clean

help:
	@echo "make run        set up and serve the app on http://localhost:$(PORT) (SQLite, demo data, dev sign-in)"
	@echo "make run-prod   the production profile: PostgreSQL, Redis, several workers (see README)"
	@echo "make bench      the benchmarks (BENCH_ARGS=--full for the full sizes); not part of make test"
	@echo "make reliability  authorization matrix, fuzzing, faults, concurrency at volume; prints a table (RELIABILITY_ARGS narrows)"
	@echo "make test       set up and run the whole test suite (unit, integration on SQLite and PostgreSQL, browser)"
	@echo "make locales-extract / locales-update / locales-compile / locales-check"

$(UV):
	python3 -m venv $(TOOLS)/uv
	$(TOOLS)/uv/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python python3.11
	touch $@

$(BUN):
	mkdir -p $(TOOLS)/js
	cd $(TOOLS)/js && ( [ -f package.json ] || echo '{"private": true}' > package.json ) && \
	  npm install --no-audit --no-fund --no-save "@oven/bun-linux-x64@$(BUN_VERSION)"
	test -x $(BUN)

setup: $(VENV)/.synced $(BUN) locales-compile

locales-compile: $(VENV)/.synced
	$(VENV)/bin/pybabel compile --use-fuzzy -d locales -D messages >/dev/null

locales-extract: $(VENV)/.synced
	flock locales/.lock $(VENV)/bin/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
	  --omit-header --project=HB -o $(POT) .

locales-update: locales-extract
	flock locales/.lock $(VENV)/bin/pybabel update -i $(POT) -d locales -D messages --no-fuzzy-matching \
	  --ignore-obsolete --omit-header

locales-check: $(VENV)/.synced
	$(PY) -m hbapp.tools.check_translations

db: setup
	$(VENV)/bin/hb db upgrade
	$(VENV)/bin/hb seed

run: db
	HB_DEV_OIDC=$${HB_DEV_OIDC:-1} HB_PUBLIC_URL=$${HB_PUBLIC_URL:-http://localhost:$(PORT)} \
	  $(VENV)/bin/reflex run --env prod --single-port \
	  --frontend-port $(PORT) --loglevel warning

# Production profile: PostgreSQL (database hb), Redis state, several backend workers. As a
# local demo: the demo data and, unless HB_OIDC_ISSUER names a real provider, the development
# sign-in (both only because they are asked for here; run_prod itself never assumes them).
run-prod: setup
	$(if $(HB_OIDC_ISSUER),,HB_DEV_OIDC=$${HB_DEV_OIDC:-1}) $(PY) -m hbapp.tools.run_prod --port $(PORT) --seed

# Benchmarks (not part of `make test`); BENCH_ARGS=--full for the sizes of issue 9.
bench: setup chromium
	$(PY) -m bench $(BENCH_ARGS)

# Reliability figures (issue 17; not part of `make test`): its own PostgreSQL cluster, Redis
# and backend; RELIABILITY_ARGS="--only fuzz --fuzz 500" narrows a run (see README).
reliability: setup
	$(PY) -m tests.reliability.run $(RELIABILITY_ARGS)

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	  { echo "could not install Debian's chromium"; exit 1; }; fi

# PYTEST_ARGS narrows a run, e.g. make test-browser PYTEST_ARGS="-k swap"
test: setup chromium
	$(PY) -m pytest -p no:cacheprovider -q $(PYTEST_ARGS)

test-fast: setup
	$(PY) -m pytest -p no:cacheprovider -q -m "not browser" $(PYTEST_ARGS)

test-browser: setup chromium
	$(PY) -m pytest -p no:cacheprovider -q -m browser $(PYTEST_ARGS)

clean:
	rm -rf .web .states data/hb.db
