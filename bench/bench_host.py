"""Shared start-up of the Python reference benchmarks: `--help` prints the script's docstring and exits 0
before any heavy import; a missing torch or numpy makes the script print `SKIP: <reason>` and exit 3 (the
C++ benchmarks then skip the comparison instead of printing a ratio); the host line (CPU, the ISA the
library dispatches to, load average) goes to stderr so that the machine-read stdout line stays one line.
"""
import importlib
import os
import sys

SKIP_EXIT = 3


def start(doc):
    if "--help" in sys.argv[1:] or "-h" in sys.argv[1:]:
        print(doc)
        sys.exit(0)
    # torch's matrix products go to the system BLAS (Debian: OpenBLAS), which starts its own thread pool when it
    # loads, whatever torch.set_num_threads says later: give it the script's --threads, read before any heavy
    # import, so that --threads 1 means one thread on both sides. Without this a "1 thread" PyTorch run of
    # bench/scansnap_torch.py used 2 cores (process CPU 0.38 s for 0.19 s of wall), which made CPU-time ratios
    # twice too flattering and wall ratios slightly unflattering.
    if "--threads" in sys.argv[1:-1] and "OPENBLAS_NUM_THREADS" not in os.environ:
        os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[sys.argv.index("--threads") + 1]


def require(name):
    try:
        return importlib.import_module(name)
    except Exception as e:  # ImportError, or a broken install raising anything else
        print(f"SKIP: {name} not importable ({type(e).__name__}: {e})")
        sys.exit(SKIP_EXIT)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def openblas_core():
    """The kernels of the OpenBLAS mapped into this process (openblas_get_corename), or None."""
    try:
        import ctypes
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "libopenblas" in line and line.rstrip().endswith(".so")}
        for path in sorted(paths):
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return lib.openblas_get_corename().decode()
    except Exception:
        pass
    return None


def library_isa(module):
    """What the library's kernels are: torch's ATen dispatch level and the BLAS it runs its products on, or
    numpy's SIMD extensions."""
    name = getattr(module, "__name__", "")
    if name == "torch":
        cap = "unknown"
        for line in module.__config__.show().splitlines():
            if "CPU capability usage" in line:
                cap = line.split(":", 1)[1].strip()
        core = openblas_core()
        return f"torch (ATen CPU capability {cap}; GEMMs on OpenBLAS {core or 'not mapped'})"
    if name == "numpy":
        try:
            from numpy.core._multiarray_umath import __cpu_features__ as feats
            for isa in ("AVX512F", "AVX2", "AVX", "SSE2"):
                if feats.get(isa):
                    return "numpy " + isa
        except Exception:
            pass
    return name


def thp_mode():
    """The transparent-huge-page mode in brackets in /sys/kernel/mm/transparent_hugepage/enabled."""
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            s = f.read()
        return s[s.index("[") + 1:s.index("]")]
    except (OSError, ValueError):
        return "unknown"


def print_host(module):
    la = os.getloadavg()
    print(f"host: {cpu_model()}; kernel: {library_isa(module)}; THP {thp_mode()}; "
          f"load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}", file=sys.stderr)
