#!/bin/sh
# A private PostgreSQL cluster under instance/postgres, on its own port and socket,
# so it never touches another server. Usage: scripts/pg.sh start|stop|url [dbname]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR="$ROOT/instance/postgres"
PORT="${SCOUT_PG_PORT:-54329}"
PGVER=$(ls /usr/lib/postgresql | sort -V | tail -1)
BIN="/usr/lib/postgresql/$PGVER/bin"

as_owner() {
  # initdb and postgres refuse to run as root: run them as the postgres system user.
  if [ "$(id -u)" = "0" ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

case "${1:-}" in
  start)
    mkdir -p "$ROOT/instance"
    if [ "$(id -u)" = "0" ] && [ ! -e "$DIR" ] && ! runuser -u postgres -- test -x "$ROOT/instance"; then
      # The postgres user cannot reach this checkout (e.g. under /root): keep the cluster
      # where it can, and link it from instance/postgres.
      REAL="/var/lib/scout-dev/$(echo "$ROOT" | cksum | cut -d' ' -f1)"
      mkdir -p "$REAL" && ln -s "$REAL" "$DIR"
    fi
    if [ -L "$DIR" ]; then DIR=$(readlink -f "$DIR"); fi
    mkdir -p "$DIR/run"
    if [ "$(id -u)" = "0" ]; then chown -R postgres:postgres "$DIR/"; fi
    if [ ! -f "$DIR/data/PG_VERSION" ]; then
      as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
    fi
    if ! as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
      as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 start \
        -o "-p $PORT -k $DIR/run -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" >/dev/null \
        || { tail -20 "$DIR/server.log" >&2; exit 1; }
    fi
    ;;
  stop)
    if [ -L "$DIR" ]; then DIR=$(readlink -f "$DIR"); fi
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true
    ;;
  url)
    echo "postgresql://postgres@127.0.0.1:$PORT/${2:-scout}"
    ;;
  *)
    echo "usage: $0 start|stop|url [dbname]" >&2; exit 2;;
esac
