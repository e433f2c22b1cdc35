#!/usr/bin/env bash
# Run a command against a throw-away Redis server:
#   .ci/with-redis.sh pytest tests
# The server keeps nothing on disk, lives in a temporary folder, listens on a
# free local port only, and is stopped and removed afterwards whatever the
# command's result. The command sees TEST_REDIS_URL. As root, the server runs
# as the redis user (Debian's redis-server package creates it). Chains with
# with-postgres.sh: `.ci/with-postgres.sh .ci/with-redis.sh pytest ...`.
set -euo pipefail

redis_server=$(command -v redis-server 2>/dev/null || echo /usr/bin/redis-server)
[ -x "$redis_server" ] || { echo "redis-server not found; run .ci/system-deps.sh" >&2; exit 1; }

workdir=$(mktemp -d /tmp/atelier-redis.XXXXXX)
as_redis() {
  if [ "$(id -u)" -eq 0 ] && id redis >/dev/null 2>&1; then runuser -u redis -- "$@"; else "$@"; fi
}
if [ "$(id -u)" -eq 0 ] && id redis >/dev/null 2>&1; then chown redis: "$workdir"; fi
chmod 700 "$workdir"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

stop_server() {
  local pid
  pid=$(cat "$workdir/redis.pid" 2>/dev/null || true)
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    # Redis removes its pid file as it exits; wait on the process itself.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$workdir"
}
trap stop_server EXIT INT TERM

# No persistence (save "" and no AOF), no protected-mode surprises on loopback.
as_redis "$redis_server" --port "$port" --bind 127.0.0.1 --dir "$workdir" \
  --daemonize yes --pidfile "$workdir/redis.pid" --logfile "$workdir/server.log" \
  --save "" --appendonly no >/dev/null

for _ in $(seq 100); do
  if python3 - "$port" <<'EOF' 2>/dev/null; then break; fi
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.5)
s.sendall(b"PING\r\n")
assert s.recv(16).startswith(b"+PONG")
EOF
  sleep 0.1
done

export TEST_REDIS_URL="redis://127.0.0.1:$port/0"
echo "Redis $("$redis_server" --version | awk '{print $3}' | cut -d= -f2) on port $port"
set +e
"$@"
status=$?
set -e
exit $status
