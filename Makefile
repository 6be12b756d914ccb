# vigil — the two commands that matter: `make demo` and `make test`.
BUILD      ?= build
TEST_BUILD ?= build-test
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja

.PHONY: all deps build test test-fast fuzz demo bench format clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Every test, in one build: under AddressSanitizer + UndefinedBehaviorSanitizer
# with leak checks, at -Og with line tables (-g1). One tree, so a clean
# machine compiles the project once, and at the flags that compile fastest
# with the sanitizers on (-O2 with them takes three times as long per file;
# -Og compiles as fast as -O0 and optimises a little). `build/` (demo,
# benchmarks) is the same code optimised without the sanitizers, which
# `make test` never builds. The two small fuzz targets run here too
# (tests/fuzz/run.sh, clang); the one over the whole API, which compiles
# every library again with clang, runs under `make fuzz`.
$(TEST_BUILD)/build.ninja:
	cmake -S . -B $(TEST_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_FLAGS_DEBUG="-Og -g1" -DVIGIL_SANITIZE=ON

test: deps $(TEST_BUILD)/build.ninja
	cmake --build $(TEST_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(TEST_BUILD) --output-on-failure -j $(JOBS)

# The tests on the optimised build without sanitizers (faster, for a quick
# check while working).
test-fast: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The libFuzzer targets, each FUZZ_SECONDS (default 120) on its corpus.
FUZZ_SECONDS ?= 120
fuzz: deps
	VIGIL_FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(BUILD)/fuzz graph_parse
	VIGIL_FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(BUILD)/fuzz-google google_parse
	VIGIL_FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(BUILD)/fuzz-api api_body

# Seeds synthetic tenants into a fresh demo database and runs the pipeline.
demo: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target vigil
	rm -f $(BUILD)/demo.db $(BUILD)/demo.db-wal $(BUILD)/demo.db-shm $(BUILD)/demo.db-lock
	./$(BUILD)/vigil demo --db $(BUILD)/demo.db

# The benchmarks of docs/PERFORMANCE.md. Each runs BENCH_RUNS times
# (bench/scripts/bench_runs.py) and its tables are printed once, every figure
# as median [min-max] over the runs; a run that fails stops `make bench`.
BENCH_RUNS ?= 5
BENCH_RUN  := bench/scripts/bench_runs.py --runs $(BENCH_RUNS) --

bench: build
	$(BENCH_RUN) ./$(BUILD)/bench_pipeline
	$(BENCH_RUN) ./$(BUILD)/bench_queue
	$(BENCH_RUN) ./$(BUILD)/bench_fleet
	$(BENCH_RUN) ./$(BUILD)/bench_redis_queue
	$(BENCH_RUN) ./$(BUILD)/bench_graph_sync
	$(BENCH_RUN) ./$(BUILD)/bench_google_sync
	$(BENCH_RUN) ./$(BUILD)/bench_api
	$(BENCH_RUN) ./$(BUILD)/bench_console
	rm -rf $(BUILD)/bench-console && ./$(BUILD)/bench_console --dir $(BUILD)/bench-console --requests 20 >/dev/null
	/usr/bin/python3 bench/scripts/console_paint.py ./$(BUILD)/vigil $(BUILD)/bench-console/bench_console.db
	$(BENCH_RUN) ./$(BUILD)/bench_latency --vigil ./$(BUILD)/vigil
	$(BENCH_RUN) ./$(BUILD)/bench_delivery --vigil ./$(BUILD)/vigil
	bench/scripts/with_postgres.sh $(BENCH_RUN) sh -c './$(BUILD)/bench_pipeline --users 100000 --pg "$$VIGIL_BENCH_PG"'
	bench/scripts/with_postgres.sh $(BENCH_RUN) ./$(BUILD)/bench_distributed --vigil ./$(BUILD)/vigil

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'bench/*.cc' 'tests/*.cc' 'tests/*.h')

clean:
	rm -rf $(BUILD) $(TEST_BUILD)
