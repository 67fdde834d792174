#!/usr/bin/env bash
# The web server of `make run` and of the benchmarks: one place says how Réciproque is served.
#   SERVER=uvicorn (default; uvloop + httptools, websockets for Channels) or daphne (the baseline)
#   HOST, PORT (127.0.0.1:8000); WEB_WORKERS: processes (default: one per core when a Redis channel layer
#   carries events between processes, else one: the in-memory layer lives in a single process)
#   WS_DEFLATE: 1 compresses websocket frames (permessage-deflate); off by default (bench/messaging.py)
#   WS_PING_INTERVAL, WS_PING_TIMEOUT: uvicorn's keep-alive pings of each socket (seconds; 20 and 20)
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-marketplace.settings.dev}"
# Forwarded headers are read by Django (TrustedProxyMiddleware: only from TRUSTED_PROXIES), not by the server.
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
if [ -n "${REDIS_URL:-}" ]; then default_workers=$(nproc); else default_workers=1; fi
WORKERS="${WEB_WORKERS:-$default_workers}"
# Our frames are small JSON events (about 500 bytes): compressing each one cost the event loop about a tenth
# of its time at 500 messages/s (py-spy under bench/messaging.py) for little saved on the wire.
if [ "${WS_DEFLATE:-0}" = 1 ]; then deflate=true; else deflate=false; fi
case "${SERVER:-uvicorn}" in
    uvicorn)
        # No access log: it would print client IPs; our request log (marketplace.core) replaces it.
        # Websocket frames over 1 MiB are refused by the server (the consumer answers smaller bad ones).
        exec .venv/bin/uvicorn marketplace.asgi:application --host "$HOST" --port "$PORT" \
            --workers "$WORKERS" --loop uvloop --http httptools --ws websockets-sansio \
            --ws-max-size 1048576 --ws-per-message-deflate "$deflate" \
            --ws-ping-interval "${WS_PING_INTERVAL:-20}" --ws-ping-timeout "${WS_PING_TIMEOUT:-20}" \
            --no-access-log --lifespan off --no-proxy-headers ;;
    daphne)
        exec .venv/bin/daphne -b "$HOST" -p "$PORT" --access-log /dev/null \
            marketplace.asgi:application ;;
    *) echo "SERVER must be uvicorn or daphne" >&2; exit 2 ;;
esac
