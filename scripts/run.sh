#!/usr/bin/env bash
# Serves the ASGI app (scripts/serve.sh: uvicorn) on http://127.0.0.1:8000 with the Procrastinate worker beside it.
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
# The web server chosen by measurement (bench/http_floor.py): see scripts/serve.sh.
HOST="$HOST" PORT="$PORT" bash scripts/serve.sh &
pids+=($!)
echo "==> Réciproque on http://$HOST:$PORT/ (worker running; Ctrl-C to stop)"
wait -n "${pids[@]}"
stop
