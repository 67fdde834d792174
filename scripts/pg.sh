#!/usr/bin/env bash
# The embedded PostGIS cluster of this checkout, reached through var/postgres, used when DATABASE_URL is unset.
#   scripts/pg.sh start     create the cluster if needed, start it, create the database and extensions
#   scripts/pg.sh stop      stop it
#   scripts/pg.sh release   stop it if this make invocation started it (PG_OWNER, exported by the Makefile)
#   scripts/pg.sh destroy   stop it and remove its files (make clean)
#   scripts/pg.sh running   exit status 0 when the server is up
#   scripts/pg.sh url       print the DATABASE_URL of the embedded cluster
# It listens on 127.0.0.1 only, on a port of its own (never 5432) chosen once and kept in var/postgres/port.
#
# PostgreSQL refuses to run as root, so as root the cluster belongs to the 'postgres' system user. That user
# may not be able to traverse the folders above the checkout (a clone in /root, or under any 0700 folder),
# and we never loosen the user's permissions: as root the cluster lives in postgres's home, one folder per
# checkout (named after the checkout's path), and var/postgres is a symbolic link to it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LINK="$ROOT/var/postgres"
CLUSTERS="${PG_CLUSTERS_DIR:-/var/lib/postgresql/reciproque}"
BIN=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
DB=reciproque
EXTENSIONS=(postgis btree_gist pg_trgm unaccent)

[ -n "$BIN" ] || { echo "PostgreSQL 15 is not installed: run scripts/bootstrap.sh" >&2; exit 1; }

# The server's processes get real paths: they may not be allowed to follow var/postgres through the checkout.
locate() {
    PGDIR=$(realpath -m "$LINK")
    DATA="$PGDIR/data"
}
locate

as_owner() {
    # From /, since the postgres user may not be allowed into the current folder.
    if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

free_port() {
    # Free now, and not kept by another checkout's cluster that is stopped at the moment.
    python3 - "$CLUSTERS" <<'PY'
import glob, socket, sys
kept = {open(path).read().strip() for path in glob.glob(f"{sys.argv[1]}/*/port")}
for port in range(55432, 55532):
    if str(port) in kept:
        continue
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

running() { [ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

init() {
    if [ "$(id -u)" -eq 0 ]; then
        local home
        home="$CLUSTERS/$(basename "$ROOT")-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
        install -d -o postgres -g postgres -m 0755 "$CLUSTERS"
        install -d -o postgres -g postgres -m 0700 "$home"
        mkdir -p "$ROOT/var"
        ln -sfn "$home" "$LINK"
        locate
        # A checkout removed without `make clean` and cloned again at the same path finds its cluster back.
        [ -f "$DATA/PG_VERSION" ] && return
    else
        mkdir -p "$LINK"
    fi
    echo "==> Creating the embedded PostGIS cluster in $PGDIR"
    as_owner "$BIN/initdb" -D "$DATA" -U "$DB" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    free_port > "$PGDIR/port"
    cat >> "$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $(port)
unix_socket_directories = '$PGDIR'
fsync = off                      # a development cluster: speed over crash safety
synchronous_commit = off
full_page_writes = off
shared_buffers = 1GB              # the national-scale benchmark's homes and their indexes stay in memory
max_connections = 200
CONF
}

start() {
    [ -f "$DATA/PG_VERSION" ] || init
    if ! running; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -l "$PGDIR/server.log" -w -t 60 start >/dev/null \
            || { tail -n 20 "$PGDIR/server.log" >&2; exit 1; }
        # `release` stops only what this make invocation started, never a server another terminal uses.
        printf '%s\n' "${PG_OWNER:-}" > "$PGDIR/started-by"
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

stop() {
    rm -f "$PGDIR/started-by"
    if running; then as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true; fi
}

release() {
    if [ -n "${PG_OWNER:-}" ] && [ "$(cat "$PGDIR/started-by" 2>/dev/null)" = "$PG_OWNER" ]; then
        stop
        echo "==> Embedded PostGIS stopped"
    fi
}

destroy() {
    stop
    # Only a cluster folder this script made: var/postgres itself, or the per-checkout folder it points to.
    case "$PGDIR" in
        "$LINK" | "$CLUSTERS"/*) rm -rf "$PGDIR" ;;
    esac
    rm -f "$LINK" 2>/dev/null || true
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    release) release ;;
    destroy) destroy ;;
    running) running ;;
    url) echo "postgis://$DB@127.0.0.1:$(port)/$DB" ;;
    *) echo "usage: $0 start|stop|release|destroy|running|url" >&2; exit 2 ;;
esac
