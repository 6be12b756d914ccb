#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL: initdb into a temporary
# directory (as user postgres when run as root, since PostgreSQL refuses
# root), postgres on 127.0.0.1 and a free port, then the command with
# VIGIL_BENCH_PG set to the server's admin URL (database "postgres"); the
# server is stopped and removed afterwards.
#
#   bench/scripts/with_postgres.sh ./build/bench_distributed --vigil ./build/vigil
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bindir/initdb" ] || { echo "with_postgres: PostgreSQL not found (scripts/install-deps.sh installs it)" >&2; exit 1; }

dir=$(mktemp -d /tmp/vigil-pg.XXXXXX)
chmod 755 "$dir"
as=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$dir"
  as=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${as[@]}" "$bindir/initdb" -D "$dir/data" -U vigil -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=256MB" start >/dev/null

export VIGIL_BENCH_PG="postgresql://vigil@127.0.0.1:$port/postgres"
"$@"
