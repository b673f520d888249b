#!/usr/bin/env bash
# A throwaway PostgreSQL on loopback for the decision log's tests: installs Debian's postgresql
# if missing, starts a fresh cluster (trust auth, 127.0.0.1 only) in a temporary folder as the
# postgres user, and prints its URL. Stop it with: bash .ci/postgres.sh stop
#   export ICC_EXPOSURE_TEST_DATABASE_URL=$(bash .ci/postgres.sh)
set -euo pipefail
DIR=${PGTEST_DIR:-/tmp/icc-exposure-pg}
PORT=${PGTEST_PORT:-55432}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
if [ "${1:-}" = stop ]; then
  [ -n "$BIN" ] && [ -d "$DIR/data" ] && as_postgres "$BIN/pg_ctl -D $DIR/data -m fast stop" >/dev/null 2>&1 || true
  exit 0
fi
if [ -z "$BIN" ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null 2>&1 \
    || { echo "postgresql could not be installed" >&2; exit 1; }
  BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
as_postgres "$BIN/pg_ctl -D $DIR/data -m fast stop" >/dev/null 2>&1 || true
rm -rf "$DIR"; mkdir -p "$DIR"
[ "$(id -u)" = 0 ] && chown postgres "$DIR"
as_postgres "$BIN/initdb -D $DIR/data -A trust -U postgres" >/dev/null
as_postgres "$BIN/pg_ctl -D $DIR/data -l $DIR/log -w -o \"-c listen_addresses=127.0.0.1 -p $PORT -k $DIR\" start" >/dev/null
echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
