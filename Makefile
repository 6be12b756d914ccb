# vigil — the two commands that matter: `make demo` and `make test`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja

.PHONY: all deps build test test-fast asan demo bench format clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Unit, property and end-to-end tests on the optimised build, then again
# under AddressSanitizer + UndefinedBehaviorSanitizer. The sanitizer run
# tries 30 cases per property (rapidcheck's default, 100, runs in the
# optimised one): it looks for memory errors on the same paths, at ten times
# the cost per case. The fuzzers run in the optimised tree only (they carry
# their own sanitizers).
test: build asan
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 RC_PARAMS=max_success=30 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

# The tests on the optimised build only.
test-fast: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON \
	  -DVIGIL_BUILD_BENCH=OFF

asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# Seeds synthetic tenants into a fresh demo database and runs the pipeline.
demo: build
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
	rm -rf $(BUILD) $(ASAN_BUILD)
