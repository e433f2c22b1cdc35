#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL 15 server:
#   .ci/with-postgres.sh pytest tests
# The server lives in a temporary folder, listens on a free local port, and is
# stopped and removed afterwards whatever the command's result. The command
# sees TEST_DATABASE_URL. As root, the server runs as the postgres user
# (initdb refuses to run as root).
set -euo pipefail

initdb_path=$(command -v initdb 2>/dev/null || echo /usr/lib/postgresql/15/bin/initdb)
PG_BIN=$(dirname "$(readlink -f "$initdb_path")")
[ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server programs not found; run .ci/system-deps.sh" >&2; exit 1; }

workdir=$(mktemp -d /tmp/atelier-pg.XXXXXX)
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$workdir"; fi
chmod 700 "$workdir"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

stop_server() {
  as_pg "$PG_BIN/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap stop_server EXIT INT TERM

as_pg "$PG_BIN/initdb" -D "$workdir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 \
  -o "-p $port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
  start >/dev/null
as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -q -c "CREATE DATABASE atelier_test" >/dev/null

export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/atelier_test"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $port"
set +e
"$@"
status=$?
set -e
exit $status
