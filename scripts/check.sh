#!/usr/bin/env bash
# `make check`: ruff, mypy, import contracts, migrations, lock freshness, then the tests that need neither a
# browser nor a cluster of their own. `make test` (--all): the same, then every test.
# The database is up (make db); tests/conftest.py starts Redis when REDIS_URL is unset; the browser is
# Debian's Chromium. On exit, the embedded PostGIS is stopped if this make invocation started it.
set -euo pipefail
cd "$(dirname "$0")/.."
tests=(-m "not browser and not cluster")
if [ "${1:-}" = "--all" ]; then tests=(); shift; fi
V=.venv/bin

now() { echo "${EPOCHREALTIME//[.,]/}"; }  # microseconds (the separator follows the locale)
since() { local d=$(( ($(now) - $1) / 100000 )); echo "$((d / 10)).$((d % 10))"; }

# Every step runs even when an earlier one fails, so one run shows everything there is to fix.
timings=()
failed=()
step() {  # step NAME COMMAND...: runs the command, records how long it took and whether it passed
    local name=$1 t0 status=0
    shift
    echo "==> $name"
    t0=$(now)
    "$@" || status=$?
    if ((status)); then failed+=("$name"); fi
    timings+=("$(printf '%-12s %6s s  %s' "$name" "$(since "$t0")" "$( ((status)) && echo FAILED || echo ok)")")
}

started=$(now)
finish() {
    local status=$?
    trap - EXIT
    if ((${#timings[@]})); then
        echo "==> Timings"
        printf '    %s\n' "${timings[@]}"
        printf '    %-12s %6s s\n' total "$(since "$started")"
    fi
    bash scripts/pg.sh release
    if ((${#failed[@]})); then echo "==> Failed: ${failed[*]}"; exit 1; fi
    exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

ruff() { "$V/ruff" check . && "$V/ruff" format --check .; }
step ruff ruff
step mypy "$V/mypy" .
step imports "$V/lint-imports"
step migrations "$V/python" manage.py makemigrations --check --dry-run
step lock bash scripts/lock.sh --check
# One worker a core, each with its own test database (pytest-django suffixes it _gw0, _gw1…) and Redis.
# worksteal: a worker that runs out of tests takes some from the other, since a few tests last seconds.
step pytest "$V/pytest" -n auto --dist worksteal "${tests[@]}" "$@"
