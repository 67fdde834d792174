# Réciproque: `make run` serves the app with demo data; `make test` runs lint, types and every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

.PHONY: help setup db migrate data run worker test lint types pytest bench vendor territories clean

help:
	@echo "make run    install what is missing, start PostGIS, migrate, load data, serve http://127.0.0.1:8000"
	@echo "make test   the same set-up, then ruff, mypy and the whole pytest suite"
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

test: db
	@bash scripts/test.sh

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

territories: setup
	$(PY) geo/scripts/derive_territories.py

clean:
	-bash scripts/pg.sh stop
	rm -rf var
