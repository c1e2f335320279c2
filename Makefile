# tdlab top-level targets. Everything goes through CMake presets (CMakePresets.json).
#   make demo    install deps if missing, build, reproduce the DMFT figures at quick scale (under a minute)
#   make test    install deps if missing, build, run the fast test suite (what CI runs)
#   make bench   build and run the benchmarks (ratios against in-run references)
#   make python  build the Python module (python/tdlab/_core*.so; README "Python")
JOBS ?= $(shell nproc)
BUILD := build

.PHONY: all deps build demo test test-slow test-mpi bench format clean python

all: build

deps:
	@scripts/setup-deps.sh

$(BUILD)/build.ninja: CMakeLists.txt CMakePresets.json
	@cmake --preset release >/dev/null

build: deps $(BUILD)/build.ninja
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/tdlab reproduce dmft --scale quick --out results
	@echo "open results/dmft/report.html"

test: build
	ctest --test-dir $(BUILD) -L fast -j $(JOBS) --output-on-failure
	@# pytest exits 5 when it collects no tests: that is not a failure.
	@PYTHONPATH=python /usr/bin/python3 -m pytest -q tests/python; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ]

python: deps $(BUILD)/build.ninja
	@cmake --build $(BUILD) -j $(JOBS) --target tdlab_python

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
	rm -rf $(BUILD)
