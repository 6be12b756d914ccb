#!/usr/bin/env bash
# Builds and briefly runs one of vigil's libFuzzer targets; `make test` runs
# the first two through ctest, `make fuzz` all three for longer:
#
#   tests/fuzz/run.sh OUT_DIR [TARGET]
#
#   graph_parse (default; ctest fuzz_graph_parse)
#       the Microsoft Graph response parsers (tests/fuzz/graph_parse_fuzz.cc),
#       built from the few sources they need. src/providers/graph_delta_parse.cc
#       is fuzzed too when it exists.
#   google_parse (ctest fuzz_google_parse)
#       the Google Workspace answer parsers (tests/fuzz/google_parse_fuzz.cc),
#       built from the few sources they need.
#   api_body (`make fuzz` only)
#       request bodies and query strings through the HTTP API's dispatcher
#       (tests/fuzz/api_body_fuzz.cc), built with every library the API links
#       (src/{common,observe,store,queue,events,http,providers,sync,context,
#       analysis,alerts,notify,pipeline,console,api}, tests excluded, and the console's
#       files embedded by cmake/embed_web.cmake: vigil_api and what it links, as
#       CMakeLists.txt has it) packed into one archive.
#
# Build: clang++ with -fsanitize=fuzzer,address,undefined, -O1 -g, C++20,
# straight from the sources (no CMake), into OUT_DIR through a generated
# build.ninja, so a repeated run recompiles only what changed (header
# dependencies included); ccache is used when installed. The fuzz target
# itself is compiled with -Wall -Wextra -Werror; the libraries' warnings are
# the g++ builds' business. VIGIL_FUZZ_JOBS, when set, caps ninja's parallel
# compiles (default: ninja's own). Without clang++ (or its fuzzer runtime) the
# script fails and says to run scripts/install-deps.sh.
#
# Run: VIGIL_FUZZ_SECONDS seconds (default 20) on OUT_DIR/corpus, a working
# copy of tests/fuzz/corpus/TARGET kept between runs (the fuzzer adds the
# inputs it finds there, never to the source tree), with -rss_limit_mb=2048
# and -timeout=10. A crash, leak, sanitizer report, timeout or contract breach
# exits non-zero and prints the path of the reproducer (in OUT_DIR/artifacts)
# and the command that replays it.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 OUT_DIR [graph_parse|google_parse|api_body]" >&2
  exit 2
fi

root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
target=${2:-graph_parse}
seconds=${VIGIL_FUZZ_SECONDS:-20}
case "$seconds" in
  '' | *[!0-9]*)
    echo "fuzz: VIGIL_FUZZ_SECONDS must be a whole number of seconds, not '$seconds'" >&2
    exit 2
    ;;
esac

cxx=""
for candidate in clang++ clang++-14; do
  if command -v "$candidate" >/dev/null 2>&1; then
    cxx=$(command -v "$candidate")
    break
  fi
done
if [ -z "$cxx" ]; then
  echo "fuzz: clang++ not found; run scripts/install-deps.sh (it installs clang and libclang-rt-14-dev)" >&2
  exit 1
fi
if ! command -v ninja >/dev/null 2>&1; then
  echo "fuzz: ninja not found; run scripts/install-deps.sh" >&2
  exit 1
fi
fuzzer_runtime="$("$cxx" -print-resource-dir)/lib/linux/libclang_rt.fuzzer-$(uname -m).a"
if [ ! -f "$fuzzer_runtime" ]; then
  echo "fuzz: the libFuzzer runtime of $cxx is missing; run scripts/install-deps.sh (libclang-rt-14-dev)" >&2
  exit 1
fi
# ccache keyed on the sources relative to the checkout, not on OUT_DIR or
# where the checkout is: build trees and clones share their objects.
launcher=""
if command -v ccache >/dev/null 2>&1; then
  launcher="env CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=true $(command -v ccache)"
fi

# The pkg-config flags of `packages`, or `fallback` when pkg-config lacks one.
flags() {
  local kind=$1 fallback=$2
  shift 2
  pkg-config "--$kind" "$@" 2>/dev/null || echo "$fallback"
}

# Per target: the fuzz target's source, the sources linked directly, those
# packed into an archive (linked as needed), compile flags and libraries.
harness="tests/fuzz/${target}_fuzz.cc"
direct=()
archived=()
generated=()
defines=""
case "$target" in
  graph_parse)
    direct=(src/providers/graph_parse.cc src/providers/graph_reader.cc src/providers/records.cc
            src/common/status.cc src/common/time.cc)
    if [ -f "$root/src/providers/graph_delta_parse.cc" ] &&
       [ -f "$root/src/providers/graph_delta_parse.h" ]; then
      direct+=(src/providers/graph_delta_parse.cc)
      defines="-DVIGIL_FUZZ_DELTA=1"
    fi
    extra_cflags=$(flags cflags "-DSIMDJSON_THREADS_ENABLED=1" simdjson)
    libs=$(flags libs "-lsimdjson" simdjson)
    ;;
  google_parse)
    direct=(src/providers/google_parse.cc src/providers/google_licenses.cc
            src/providers/graph_parse.cc src/providers/graph_reader.cc
            src/providers/records.cc src/common/status.cc src/common/time.cc)
    extra_cflags=$(flags cflags "-DSIMDJSON_THREADS_ENABLED=1" simdjson)
    libs=$(flags libs "-lsimdjson" simdjson)
    ;;
  api_body)
    for dir in common observe store queue events http providers sync context analysis alerts notify \
               pipeline console api; do
      for src in "$root"/src/"$dir"/*.cc; do
        case "$src" in *_test.cc) continue ;; esac
        archived+=("${src#"$root"/}")
      done
    done
    # The console's files, embedded as the CMake build embeds them.
    cmake -DWEB_DIR="$root/web" -DSTAGING_DIR="$out/web" -DOUTPUT="$out/console_assets.cc" \
      -P "$root/cmake/embed_web.cmake"
    generated=("$out/console_assets.cc")
    packages="sqlite3 libpq libsodium hiredis libnats libcurl simdjson cpp-httplib spdlog fmt libcrypto"
    # notify's digest schedules use the date library's tz part over the
    # system's zone database, with the definitions its CMake target sets.
    extra_cflags="$(flags cflags "" $packages) -DUSE_OS_TZDB=1 -DHAS_STRING_VIEW=1 -DONLY_C_LOCALE=1"
    libs="$(flags libs "" $packages) -ldate-tz -lpthread"
    ;;
  *)
    echo "fuzz: unknown target '$target' (graph_parse, google_parse, api_body)" >&2
    exit 2
    ;;
esac

# The build file is rewritten only when its text changes, so that ninja keeps
# its record of what is up to date.
sanitize="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
lib_sanitize="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
common="-std=c++20 -O1 -g $defines $extra_cflags -I$root/src"
{
  echo "# Generated by tests/fuzz/run.sh; do not edit."
  echo "cxx = $launcher $cxx"
  echo "cxxflags = $common $sanitize -Wall -Wextra -Werror"
  echo "libflags = $common $lib_sanitize -w"
  echo "ldflags = $sanitize"
  echo "libs = $libs"
  echo "rule cxx"
  echo "  command = \$cxx \$cxxflags -MMD -MF \$out.d -c \$in -o \$out"
  echo "  depfile = \$out.d"
  echo "  deps = gcc"
  echo "  description = CXX \$in"
  echo "rule libcxx"
  echo "  command = \$cxx \$libflags -MMD -MF \$out.d -c \$in -o \$out"
  echo "  depfile = \$out.d"
  echo "  deps = gcc"
  echo "  description = CXX \$in"
  echo "rule ar"
  echo "  command = rm -f \$out && ar qcs \$out \$in"
  echo "  description = AR \$out"
  echo "rule link"
  echo "  command = \$cxx \$ldflags \$in \$libs -o \$out"
  echo "  description = LINK \$out"
  objects=()
  for src in "$harness" "${direct[@]}"; do
    obj="obj/${src//\//_}.o"
    objects+=("$obj")
    echo "build $obj: cxx $root/$src"
  done
  if [ ${#archived[@]} -gt 0 ]; then
    members=()
    for src in "${archived[@]}"; do
      obj="obj/${src//\//_}.o"
      members+=("$obj")
      echo "build $obj: libcxx $root/$src"
    done
    for src in "${generated[@]}"; do
      obj="obj/$(basename "$src").o"
      members+=("$obj")
      echo "build $obj: libcxx $src"
    done
    echo "build libvigil_fuzz.a: ar ${members[*]}"
    objects+=(libvigil_fuzz.a)
  fi
  echo "build ${target}_fuzz: link ${objects[*]}"
  echo "default ${target}_fuzz"
} >"$out/build.ninja.new"
if cmp -s "$out/build.ninja.new" "$out/build.ninja"; then
  rm "$out/build.ninja.new"
else
  mv "$out/build.ninja.new" "$out/build.ninja"
fi
jobs=()
if [ -n "${VIGIL_FUZZ_JOBS:-}" ]; then jobs=(-j "$VIGIL_FUZZ_JOBS"); fi
ninja -C "$out" "${jobs[@]}" "${target}_fuzz"

# The working corpus: the seeds (refreshed) plus what earlier runs found.
mkdir -p "$out/corpus" "$out/artifacts"
cp "$root"/tests/fuzz/corpus/"$target"/* "$out/corpus/"

# Scratch space of the target (api_body's database), emptied before each run.
rm -rf "$out/tmp"
mkdir -p "$out/tmp"

log="$out/last-run.log"
echo "fuzz: running ${target}_fuzz for ${seconds}s on $out/corpus ($(ls "$out/corpus" | wc -l) inputs)"
status=0
TMPDIR="$out/tmp" "$out/${target}_fuzz" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
  -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$out/corpus" >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  cat "$log" >&2
  reproducer=$(grep -o "Test unit written to .*" "$log" | tail -n 1 | sed 's/^Test unit written to //')
  echo >&2
  echo "fuzz: ${target}_fuzz FAILED (exit $status)" >&2
  if [ -n "$reproducer" ]; then
    echo "fuzz: reproducer: $reproducer" >&2
    echo "fuzz: replay with: $out/${target}_fuzz $reproducer" >&2
  fi
  exit 1
fi
tail -n 12 "$log"
echo "fuzz: no failure in ${seconds}s"
