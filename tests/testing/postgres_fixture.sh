#!/usr/bin/env bash
# One PostgreSQL for a whole ctest run (the CTest fixture "postgres"):
#   postgres_fixture.sh start DIR   initdb into DIR (as user postgres under
#                                   root), start on a free port, write the
#                                   admin URL to DIR/admin-url
#   postgres_fixture.sh stop DIR    stop it (immediately: its data is thrown
#                                   away, and a fast shutdown waits up to a
#                                   minute on a backend a test left busy) and
#                                   remove DIR
# Tests with VIGIL_TEST_PG_ADMIN_FILE=DIR/admin-url make their databases there.
set -euo pipefail
action=$1
dir=$2
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
as=()
[ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)

case "$action" in
  start)
    [ -x "$bindir/initdb" ] || { echo "PostgreSQL not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
    if [ -f "$dir/data/postmaster.pid" ]; then
      "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${as[@]}" "$bindir/initdb" -D "$dir/data" -U vigil -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 -c max_wal_size=64MB -c min_wal_size=32MB" start >/dev/null
    echo "postgresql://vigil@127.0.0.1:$port/postgres" >"$dir/admin-url.tmp"
    mv "$dir/admin-url.tmp" "$dir/admin-url"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres_fixture.sh start|stop DIR" >&2
    exit 2
    ;;
esac
