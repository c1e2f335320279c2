# tdlab top-level targets. Everything goes through CMake presets (CMakePresets.json).
#   make demo    install deps if missing, build, reproduce the DMFT figures at quick scale (under a minute)
#   make test    install deps if missing, build, run the fast test suite (what CI runs)
#   make bench   build and run the benchmarks (ratios against in-run references)
#   make test-asan  fast tests (default: core, fuzz, dmft, dynamics) under AddressSanitizer + UBSan (build-asan)
#   make python  build the Python module (python/tdlab/_core*.so; README "Python")
JOBS ?= $(shell nproc)
BUILD := build
ASAN_BUILD := build-asan

.PHONY: all deps build demo test test-slow test-mpi test-asan bench format clean python

all: build

deps:
	@scripts/setup-deps.sh

$(BUILD)/build.ninja: CMakeLists.txt CMakePresets.json
	@cmake --preset release >/dev/null

build: deps $(BUILD)/build.ninja
	@cmake --build $(BUILD) -j $(JOBS)

# --force: a second `make demo` replaces the previous demo run (files you added to results/ are kept).
demo: build
	$(BUILD)/tdlab reproduce dmft --scale quick --out results --force
	@echo "open results/dmft/report.html"

test: build
	ctest --test-dir $(BUILD) -L fast -j $(JOBS) --output-on-failure
	@# pytest exits 5 when it collects no tests: that is not a failure.
	@PYTHONPATH=python /usr/bin/python3 -m pytest -q tests/python; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ]

python: deps $(BUILD)/build.ninja
	@cmake --build $(BUILD) -j $(JOBS) --target tdlab_python

# Sanitizers: any out-of-bounds access, use after free or undefined behaviour fails the test that hit it
# (-fno-sanitize-recover). Leak checking is off: it needs ptrace, which containers often deny, and the
# question here is memory safety on bad input. The preset asan builds at -O1 and as a unity build of the
# library and the CLI (test files stay separate units): 7 min on 2 cores instead of 16 at -O3 file by file.
# ASAN_LABELS picks the test folders (ctest labels) that are built and run: by default the ones that read
# files and drive the binary (core: readers, run directories, CLI edges; fuzz: the reader fuzz test; dmft:
# sweep store, resume, gather; dynamics), so that CI stays inside 30 minutes on 2 cores; ASAN_LABELS=all
# builds and runs every fast test.
ASAN_LABELS ?= core|fuzz|dmft|dynamics
ASAN_ENV := ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ifeq ($(ASAN_LABELS),all)
test-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	$(ASAN_ENV) ctest --test-dir $(ASAN_BUILD) -L fast -j $(JOBS) --output-on-failure
else
# The chosen folders' test binaries, two at a time; a failing one prints its whole log.
ASAN_BINS := $(foreach l,$(subst |, ,$(ASAN_LABELS)),test_$(l)_fast)
test-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target tdlab $(ASAN_BINS)
	@cd $(ASAN_BUILD)/tests && printf '%s\n' $(ASAN_BINS) | $(ASAN_ENV) xargs -P $(JOBS) -I{} sh -c \
	  './{} --gtest_brief=1 > {}.asan.log 2>&1 && echo "test-asan: {} passed" || { cat {}.asan.log; echo "test-asan: {} FAILED"; exit 255; }'
endif

test-slow: build
	ctest --test-dir $(BUILD) -L slow --output-on-failure

# The MPI sweep driver (OpenMPI from apt, its own build directory build-mpi; CI does not need it).
test-mpi:
	@scripts/setup-deps.sh --mpi
	@cmake --preset mpi >/dev/null
	@cmake --build build-mpi -j $(JOBS)
	ctest --test-dir build-mpi -R SweepMpi --output-on-failure

bench: build
	@for b in $(BUILD)/bench/bench_*; do echo "== $$b"; $$b || exit 1; done

format:
	@clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
