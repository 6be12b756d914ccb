#!/usr/bin/env bash
# Installs every Debian package that vigil's build, tests and benchmarks need.
# Idempotent: when everything is present it prints nothing and exits 0.
set -euo pipefail

packages=(
  build-essential g++ cmake ninja-build ccache pkg-config make
  libsqlite3-dev sqlite3
  libsimdjson-dev nlohmann-json3-dev libcli11-dev libspdlog-dev
  libgtest-dev libgmock-dev librapidcheck-dev
  libhiredis-dev redis-server
  libnats-dev nats-server
  libpq-dev postgresql
  libcurl4-openssl-dev libcpp-httplib-dev libsodium-dev
  libssl-dev  # RS256 signatures of Google Workspace's service account assertions
  libboost1.81-dev
  libhowardhinnant-date-dev  # digest schedules in named time zones (libdate-tz)
  python3-aiosmtpd prometheus-alertmanager  # real receivers of the delivery tests
  clang libclang-rt-14-dev
  python3  # the test and bench scripts (free ports, bench/scripts/bench_runs.py)
  chromium chromium-driver python3-selenium  # the console's tests in a real headless browser
)
# The BullMQ interop test runs Node's bullmq; a machine that has node and npm
# already (from nodesource, nvm, ...) keeps its own.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
else
  sudo_cmd=()
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Tests start their own redis-server and nats-server on free ports; none may
# depend on a system one. A Debian package that starts a service on install:
# stop and disable it.
for p in "${missing[@]}"; do
  case "$p" in redis-server | nats-server | postgresql | prometheus-alertmanager) ;; *) continue ;; esac
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    "${sudo_cmd[@]}" systemctl disable --now "$p" >/dev/null 2>&1 || true
  else
    "${sudo_cmd[@]}" service "$p" stop >/dev/null 2>&1 || true
    "${sudo_cmd[@]}" update-rc.d "$p" disable >/dev/null 2>&1 || true
  fi
done
echo "install-deps: done"
