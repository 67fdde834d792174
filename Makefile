# Réciproque: `make run` serves the app with demo data; `make check` runs the fast checks, `make test` all of them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# One token per make invocation: `make run` and `make test` stop the embedded PostGIS when they end only if
# they started it, never a server another terminal is using (scripts/pg.sh release).
export PG_OWNER := make-$(shell date +%s%N)

.PHONY: help setup db migrate data run check test lock lint types pytest bench vendor territories clean

help:
	@echo "make run    install what is missing, start PostGIS, migrate, load data, serve http://127.0.0.1:8000"
	@echo "make check  ruff, mypy, import contracts, migrations, lock freshness and the tests without a browser"
	@echo "make test   the same set-up and checks, then every test (browser journeys included)"
	@echo "make lock   recompile requirements.lock (dev) and requirements-prod.lock (image, with hashes)"
	@echo "make bench  benchmarks on seeded national-scale data (bench/)"

setup:
	@bash scripts/bootstrap.sh

db: setup
	@if [ -z "$$DATABASE_URL" ]; then bash scripts/pg.sh start; fi

migrate: db
	@$(MANAGE) migrate --no-input -v 0

data: migrate
	@$(MANAGE) load_territories
	@$(MANAGE) load_demo

run: data
	@bash scripts/run.sh

# ARGS go to pytest: make check ARGS="-k workflows"
check: db
	@bash scripts/check.sh $(ARGS)

test: db
	@bash scripts/check.sh --all $(ARGS)

lock: setup
	@bash scripts/lock.sh

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

types: setup
	$(VENV)/bin/mypy .

pytest: db
	$(VENV)/bin/pytest

bench: data
	$(PY) -m bench

vendor:
	bash scripts/vendor_maplibre.sh
	bash scripts/vendor_axe.sh
	bash scripts/vendor_jsqr.sh

territories: setup
	$(PY) geo/scripts/derive_territories.py

clean:
	-bash scripts/pg.sh destroy
	rm -rf var
