#!/bin/sh
# Private PostgreSQL clusters under instance/, on their own port and socket, so they never
# touch another server. Usage: scripts/pg.sh start|stop|url [dbname]
#
# SCOUT_PG_CLUSTER chooses the cluster:
#   run (default)  instance/postgres: the app's data (`make run`). Durable (fsync on) and
#                  reachable only by the app: TCP on 127.0.0.1 with a password generated into
#                  instance/postgres-password (mode 600; `url` puts it in the URL), its socket
#                  in a directory only the cluster's owner may enter.
#   test           instance/postgres-test: what the tests drop and re-create (`make test`).
#                  No TCP at all, only a socket in a directory only its owner may enter;
#                  fsync off, since nothing in it has to survive a power cut.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLUSTER="${SCOUT_PG_CLUSTER:-run}"
case "$CLUSTER" in
  run) DIR="$ROOT/instance/postgres" ;;
  test) DIR="$ROOT/instance/postgres-test" ;;
  *) echo "SCOUT_PG_CLUSTER must be run or test, not $CLUSTER" >&2; exit 2 ;;
esac
PASSWORD_FILE="$ROOT/instance/postgres-password"
PORT="${SCOUT_PG_PORT:-54329}"
PGVER=$(ls /usr/lib/postgresql | sort -V | tail -1)
BIN="/usr/lib/postgresql/$PGVER/bin"

as_owner() {
  # initdb and postgres refuse to run as root: run them as the postgres system user.
  if [ "$(id -u)" = "0" ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

password() {
  # Made on first use, kept under instance/ (never committed), readable by its owner only.
  if [ ! -s "$PASSWORD_FILE" ]; then
    mkdir -p "$ROOT/instance"
    (umask 077 && python3 -c "import secrets; print(secrets.token_hex(24))" >"$PASSWORD_FILE")
  fi
  cat "$PASSWORD_FILE"
}

psql_local() {
  # As the cluster's owner, over its socket (before a password is set, or to change it).
  as_owner "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR/run" -p "$PORT" -U postgres -d postgres "$@"
}

write_hba() {
  if [ "$CLUSTER" = "test" ]; then
    printf 'local all all trust\n' >"$DIR/data/pg_hba.conf.new"
  else
    printf '%s\n' "local all all peer map=owner" \
      "host all all 127.0.0.1/32 scram-sha-256" "host all all ::1/128 scram-sha-256" \
      >"$DIR/data/pg_hba.conf.new"
    # The socket admits only the cluster's owner (and root, as it), as the postgres role.
    printf 'owner %s postgres\nowner root postgres\n' "$(stat -c %U "$DIR/data")" \
      >"$DIR/data/pg_ident.conf"
  fi
  mv "$DIR/data/pg_hba.conf.new" "$DIR/data/pg_hba.conf"
  if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$DIR/data/pg_hba.conf" "$DIR/data/pg_ident.conf" 2>/dev/null || true; fi
}

options() {
  if [ "$CLUSTER" = "test" ]; then
    echo "-p $PORT -k $DIR/run -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
  else
    echo "-p $PORT -k $DIR/run -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=200"
  fi
}

case "${1:-}" in
  start)
    mkdir -p "$ROOT/instance"
    if [ "$(id -u)" = "0" ] && [ ! -e "$DIR" ] && ! runuser -u postgres -- test -x "$ROOT/instance"; then
      # The postgres user cannot reach this checkout (e.g. under /root): keep the cluster
      # where it can, and link it from instance/.
      REAL="/var/lib/scout-dev/$(echo "$ROOT" | cksum | cut -d' ' -f1)-$CLUSTER"
      mkdir -p "$REAL" && ln -s "$REAL" "$DIR"
    fi
    if [ -L "$DIR" ]; then DIR=$(readlink -f "$DIR"); fi
    mkdir -p "$DIR/run"
    if [ "$(id -u)" = "0" ]; then chown -R postgres:postgres "$DIR/"; fi
    chmod 700 "$DIR/run"
    fresh=""
    if [ ! -f "$DIR/data/PG_VERSION" ]; then
      as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
      fresh=1
    fi
    running=""
    if as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then running=1; fi
    if [ -n "$running" ] && [ "$CLUSTER" = "run" ] \
        && [ "$(psql_local -tA -c 'SHOW fsync' 2>/dev/null || echo on)" = "off" ]; then
      # Started by an older pg.sh with fsync off: restart it durable (a fast, clean stop).
      as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null
      running=""
    fi
    if [ -z "$running" ]; then
      if [ "$CLUSTER" = "run" ] && grep -q "trust" "$DIR/data/pg_hba.conf"; then
        # A new cluster, or one made when clusters trusted every local user: the password
        # is set over the socket before the cluster accepts anything else.
        printf 'local all postgres trust\n' >"$DIR/data/pg_hba.conf"
        as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 start \
          -o "-p $PORT -k $DIR/run -c listen_addresses=" >/dev/null \
          || { tail -20 "$DIR/server.log" >&2; exit 1; }
        password | sed "s/.*/ALTER ROLE postgres PASSWORD '&'/" | psql_local
        as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null
      fi
      if [ -n "$fresh" ] || [ "$CLUSTER" = "run" ]; then write_hba; fi
      as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 start \
        -o "$(options)" >/dev/null \
        || { tail -20 "$DIR/server.log" >&2; exit 1; }
    fi
    ;;
  stop)
    if [ -L "$DIR" ]; then DIR=$(readlink -f "$DIR"); fi
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true
    ;;
  url)
    if [ "$CLUSTER" = "test" ]; then
      if [ -L "$DIR" ]; then DIR=$(readlink -f "$DIR"); fi
      echo "postgresql://postgres@/${2:-scout_test}?host=$DIR/run&port=$PORT"
    else
      echo "postgresql://postgres:$(password)@127.0.0.1:$PORT/${2:-scout}"
    fi
    ;;
  *)
    echo "usage: $0 start|stop|url [dbname]   (SCOUT_PG_CLUSTER=run|test)" >&2; exit 2;;
esac
