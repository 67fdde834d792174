#!/usr/bin/env bash
# Serves the ASGI app (daphne) on http://127.0.0.1:8000 with the Procrastinate worker beside it.
# Ctrl-C stops both, and the embedded PostGIS too when this run started it.
set -uo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-marketplace.settings.dev}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"

pids=()
stop() {
    trap - INT TERM EXIT
    echo
    echo "==> Stopping"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    wait 2>/dev/null
    bash scripts/pg.sh release
    exit 0
}
trap stop INT TERM EXIT

.venv/bin/python manage.py procrastinate worker --concurrency 2 &
pids+=($!)
# daphne's own access log would print client IPs: our request log (marketplace.core) replaces it.
.venv/bin/daphne -b "$HOST" -p "$PORT" --proxy-headers --access-log /dev/null marketplace.asgi:application &
pids+=($!)
echo "==> Réciproque on http://$HOST:$PORT/ (worker running; Ctrl-C to stop)"
wait -n "${pids[@]}"
stop
