#!/usr/bin/env bash
# The embedded PostGIS cluster under var/postgres, used when DATABASE_URL is unset.
#   scripts/pg.sh start   create the cluster if needed, start it, create the database and extensions
#   scripts/pg.sh stop    stop it
#   scripts/pg.sh url     print the DATABASE_URL of the embedded cluster
# PostgreSQL refuses to run as root, so as root the cluster belongs to the 'postgres' system user.
# It listens on 127.0.0.1 only, on a port of its own (never 5432) chosen once and kept in var/postgres/port.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PGDIR="$ROOT/var/postgres"
DATA="$PGDIR/data"
BIN=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
DB=reciproque
EXTENSIONS=(postgis btree_gist pg_trgm unaccent)

[ -n "$BIN" ] || { echo "PostgreSQL 15 is not installed: run scripts/bootstrap.sh" >&2; exit 1; }

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 - <<'PY'
import socket
for port in range(55432, 55532):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
PY
}

port() { cat "$PGDIR/port"; }

psql_db() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(port)" -U "$DB" "$@"; }

init() {
    mkdir -p "$PGDIR"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$PGDIR"
        if ! runuser -u postgres -- test -w "$PGDIR"; then
            echo "The postgres user cannot reach $PGDIR (a parent folder is not traversable)." >&2
            echo "Set DATABASE_URL to a server of yours, or move the clone." >&2
            exit 1
        fi
    fi
    echo "==> Creating the embedded PostGIS cluster in var/postgres"
    as_owner "$BIN/initdb" -D "$DATA" -U "$DB" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    free_port > "$PGDIR/port"
    cat >> "$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $(port)
unix_socket_directories = '$PGDIR'
fsync = off                      # a development cluster: speed over crash safety
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
max_connections = 200
CONF
}

start() {
    [ -f "$DATA/PG_VERSION" ] || init
    if ! as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -l "$PGDIR/server.log" -w -t 60 start >/dev/null \
            || { tail -n 20 "$PGDIR/server.log" >&2; exit 1; }
        touch "$PGDIR/started-by-make"   # scripts/run.sh stops what make started, and only that
        echo "==> Embedded PostGIS started on 127.0.0.1:$(port)"
    fi
    if [ "$(psql_db -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
        psql_db -d postgres -c "CREATE DATABASE $DB"
    fi
    # Extensions in template1 too, so the test database pytest creates has them from the start.
    for db in template1 "$DB"; do
        for ext in "${EXTENSIONS[@]}"; do
            psql_db -d "$db" -c "CREATE EXTENSION IF NOT EXISTS $ext" 2>/dev/null
        done
    done
}

case "${1:-}" in
    start) start ;;
    stop)
        rm -f "$PGDIR/started-by-make"
        if [ -f "$DATA/PG_VERSION" ]; then as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true; fi ;;
    running) as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1 ;;
    url) echo "postgis://$DB@127.0.0.1:$(port)/$DB" ;;
    *) echo "usage: $0 start|stop|running|url" >&2; exit 2 ;;
esac
