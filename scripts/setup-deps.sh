#!/usr/bin/env bash
# Installs the Debian 12 packages tdlab needs. Idempotent: when everything is present it only runs
# dpkg-query once and exits (well under a second).
#   scripts/setup-deps.sh            build + test dependencies (what `make test` and `make demo` need)
#   scripts/setup-deps.sh --oracle   also PyTorch (regenerating golden files, the oracle benchmarks)
#   scripts/setup-deps.sh --mpi      also OpenMPI (-DTDLAB_MPI=ON)
set -euo pipefail

pkgs=(build-essential cmake ninja-build pkg-config git
  libeigen3-dev libopenblas-dev libyaml-cpp-dev libcli11-dev nlohmann-json3-dev libfmt-dev zlib1g-dev
  libkissfft-dev libsleef-dev libjemalloc-dev libxsmm-dev libgtest-dev libgmock-dev libbenchmark-dev gnuplot-nox
  python3-numpy
  python3-yaml python3-pybind11 pybind11-dev python3-pytest python3-matplotlib python3-nbclient python3-ipykernel
  python3-nbformat)
for arg in "$@"; do
  case "$arg" in
  --oracle) pkgs+=(python3-torch) ;;
  --mpi) pkgs+=(libopenmpi-dev openmpi-bin) ;;
  --format) pkgs+=(clang-format) ;;
  *)
    echo "setup-deps.sh: unknown option '$arg' (known: --oracle --mpi --format)" >&2
    exit 2
    ;;
  esac
done

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-deps: done"
