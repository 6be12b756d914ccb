#!/usr/bin/env bash
# Interop between vigil's Redis queue backend and Node BullMQ, against a
# redis-server this script starts on a free port (registered in CTest).
#   tests/interop/run.sh VIGIL_BINARY WORK_DIR
# WORK_DIR (in the build tree) receives node_modules (`npm ci` from the
# committed package-lock.json) and the logs of one run.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 VIGIL_BINARY WORK_DIR" >&2
  exit 2
fi
vigil=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)

fail() {
  echo "interop: FAILED: $*" >&2
  if [ -n "${port:-}" ]; then
    echo "interop: keys of redis-server on port $port:" >&2
    redis-cli -p "$port" --scan 2>/dev/null | sort | while read -r key; do
      echo "  $key ($(redis-cli -p "$port" type "$key" 2>/dev/null))" >&2
    done
    for q in echo doomed v2n; do
      for l in wait active paused; do
        echo "  bull:$q:$l = $(redis-cli -p "$port" lrange "bull:$q:$l" 0 -1 2>/dev/null | tr '\n' ' ')" >&2
      done
      echo "  bull:$q:marker = $(redis-cli -p "$port" zrange "bull:$q:marker" 0 -1 withscores 2>/dev/null | tr '\n' ' ')" >&2
    done
    echo "  clients: $(redis-cli -p "$port" client list 2>/dev/null)" >&2
  fi
  exit 1
}

for tool in node npm redis-server redis-cli; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed (scripts/install-deps.sh installs it)"
done
[ -x "$vigil" ] || fail "no vigil binary at $vigil"

mkdir -p "$work"
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules/bullmq" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci in $work"
fi
export NODE_PATH="$work/node_modules"

run_dir=$(mktemp -d "$work/run.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# A free port: the kernel's pick, released just before redis-server takes it.
port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$run_dir" \
  --daemonize no >"$run_dir/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 500); do
  [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break
  sleep 0.02
done
[ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] || fail "redis-server on port $port did not start: $(cat "$run_dir/redis.log")"
url="redis://127.0.0.1:$port"

# Stops the vigil worker with pid $1 by SIGTERM; it must drain and exit 0.
stop_worker() {
  local pid=$1 log=$2 rc=0
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  [ "$rc" -eq 0 ] || fail "vigil queue work exited $rc after SIGTERM; its log: $(cat "$log")"
}

echo "interop: 1. Node Queue.add -> vigil queue work"
"$vigil" queue work --redis "$url" --queue echo --handler echo --concurrency 2 --prefetch 8 \
  --name interop-echo 2>"$run_dir/work-echo.log" &
echo_pid=$!
pids+=($echo_pid)
"$vigil" queue work --redis "$url" --queue doomed --handler fail --name interop-fail \
  2>"$run_dir/work-fail.log" &
fail_pid=$!
pids+=($fail_pid)
node "$here/node_to_vigil.js" "$port" echo doomed ||
  fail "node_to_vigil.js; vigil worker logs: $(cat "$run_dir/work-echo.log" "$run_dir/work-fail.log")"
stop_worker "$echo_pid" "$run_dir/work-echo.log"
stop_worker "$fail_pid" "$run_dir/work-fail.log"

echo "interop: 2. vigil queue add -> Node Worker"
add() { "$vigil" queue add --redis "$url" --queue v2n "$@" >/dev/null || fail "vigil queue add $*"; }
add --name plain --job-id plain --data '{"n":1}'
add --name flaky --job-id flaky --attempts 3 --backoff fixed:300
add --name later --job-id later --delay 1500
add --name p3 --job-id p3 --priority 3
add --name p1 --job-id p1 --priority 1
add --name p2 --job-id p2 --priority 2
node "$here/vigil_to_node.js" "$port" v2n || fail "vigil_to_node.js"

stats=$("$vigil" queue stats --redis "$url" --queue v2n --json)
case "$stats" in
  *'"completed":6'*'"failed":0'*) ;;
  *) fail "vigil queue stats after the Node worker: $stats" ;;
esac

rm -rf "$run_dir"
echo "interop: ok"
