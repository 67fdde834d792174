#!/usr/bin/env bash
# `make check`: ruff, mypy, import contracts, migrations, lock freshness and, at the same time, the tests that
# need neither a browser nor a cluster of their own, nor sweep every route, nor start server processes. `make test` (--all): the same with every test.
# The database is up (make db); tests/conftest.py starts Redis when REDIS_URL is unset; the browser is
# Debian's Chromium. On exit, the embedded PostGIS is stopped if this make invocation started it.
set -euo pipefail
cd "$(dirname "$0")/.."
# The sweeps (every API operation fuzzed, every URL walked with hostile input: minutes) run in `make test`.
tests=(-m "not browser and not cluster and not sweep and not processes")
if [ "${1:-}" = "--all" ]; then tests=(); shift; fi
V=.venv/bin

now() { echo "${EPOCHREALTIME//[.,]/}"; }  # microseconds (the separator follows the locale)
since() { local d=$(( ($(now) - $1) / 100000 )); echo "$((d / 10)).$((d % 10))"; }

# Every step runs even when an earlier one fails, so one run shows everything there is to fix.
work=$(mktemp -d)
step() {  # step NAME COMMAND...: runs the command, records how long it took and whether it passed
    local name=$1 t0 status=0
    shift
    echo "==> $name"
    t0=$(now)
    "$@" || status=$?
    printf '%-12s %6s s  %s\n' "$name" "$(since "$t0")" "$( ((status)) && echo FAILED || echo ok)" >> "$work/steps"
}

started=$(now)
static_pid=""
finish() {
    local status=$?
    trap - EXIT
    if [ -n "$static_pid" ]; then pkill -P "$static_pid" 2>/dev/null; kill "$static_pid" 2>/dev/null || true; fi
    if [ -s "$work/steps" ]; then
        echo "==> Timings"
        sed 's/^/    /' "$work/steps"
        printf '    %-12s %6s s\n' total "$(since "$started")"
    fi
    bash scripts/pg.sh release
    local failed
    failed=$(awk '$NF == "FAILED" {print $1}' "$work/steps" 2>/dev/null | xargs)
    rm -rf "$work"
    if [ -n "$failed" ]; then echo "==> Failed: $failed"; exit 1; fi
    exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

ruff() { "$V/ruff" check . && "$V/ruff" format --check .; }
static_checks() {
    step ruff ruff
    step mypy "$V/mypy" .
    step imports "$V/lint-imports"
    step migrations "$V/python" manage.py makemigrations --check --dry-run
    step lock bash scripts/lock.sh --check
}
# The static checks need one core for some 20 s, and pytest's workers leave part of the machine idle while
# they wait on PostgreSQL: both run at once, and the static checks' output is shown when pytest is done.
static_checks > "$work/static.log" 2>&1 &
static_pid=$!
# One worker a core, each with its own test database (pytest-django suffixes it _gw0, _gw1…) and Redis.
# worksteal: a worker that runs out of tests takes some from the other, since a few tests last seconds.
step pytest "$V/pytest" -n auto --dist worksteal "${tests[@]}" "$@"
wait "$static_pid" || true
static_pid=""
cat "$work/static.log"
