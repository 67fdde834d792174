#!/usr/bin/env bash
# Lint, types and every test. The database is up (make db); Redis is started by tests/conftest.py when
# REDIS_URL is unset; the browser is Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> mypy"
.venv/bin/mypy .
echo "==> pytest"
.venv/bin/pytest "$@"
