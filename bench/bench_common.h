// What every benchmark prints and how it measures, so that numbers from different runs and hosts can be
// compared honestly: `--help` (usage, exit 0), the host's CPU and vector ISA, the kernel the run used, the
// load average (the build machines are shared), medians of interleaved samples for any peak a result is
// divided by, and a skipped comparison (never a ratio) when a reference program cannot run.
#pragma once

#include "core/isa.h"
#include "core/process.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace tdlab::bench {

// True (after printing `usage`) when --help or -h is among the arguments; main then returns 0.
inline bool help_requested(int argc, char **argv, const char *usage) {
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
            std::printf("%s\n", usage);
            return true;
        }
    }
    return false;
}

inline double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU seconds of the calling thread: on a shared machine far closer to the quiet wall time than the wall
// clock, which also counts the time the thread waits for a core.
inline double thread_cpu_seconds() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// CPU seconds of the whole process (all threads): divided by the thread count, an estimate of the wall
// time on a quiet machine when the threads are kept busy.
inline double process_cpu_seconds() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

inline std::string load_average() {
    double l[3] = {-1, -1, -1};
    if (getloadavg(l, 3) != 3) return "load average unknown";
    char buf[96];
    std::snprintf(buf, sizeof buf, "load average %.2f %.2f %.2f", l[0], l[1], l[2]);
    return buf;
}

// The widest x86 vector extension of this CPU that the kernels can use (which numbers of an AVX2 host and an
// AVX-512 host can be compared is the first question of any table).
inline std::string cpu_isa() {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return tdlab::kAvx512Allowed ? "AVX-512F"
                                     : "AVX-512F; tdlab's own kernels on their AVX2 paths (TDLAB_AVX512=OFF; the "
                                       "libraries' kernels are named next)";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "AVX2+FMA (no AVX-512)";
    if (__builtin_cpu_supports("avx")) return "AVX (no AVX2)";
    return "SSE2";
#else
    return "not x86-64";
#endif
}

inline std::string cpu_model() {
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("model name", 0) == 0) {
            const auto p = line.find(':');
            return p == std::string::npos ? line : line.substr(p + 2);
        }
    }
    return "unknown CPU";
}

// The kernel's transparent-huge-page mode ("always", "madvise", "never"). A reference that allocates its
// large tensors afresh every iteration (PyTorch's CPU allocator keeps no cache) touches them in 4 KiB pages
// unless it is "always": on this project's virtual build machine that made PyTorch's Birth d = 256 step
// 25-34 s instead of 5-6 s (docs/performance.md "The reference and the page size").
inline std::string thp_mode() {
    std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string s;
    std::getline(f, s);
    const auto a = s.find('['), b = s.find(']');
    return a == std::string::npos || b == std::string::npos || b < a ? "unknown" : s.substr(a + 1, b - a - 1);
}

// One header line: CPU, its ISA, the kernel this run uses, the huge-page mode, the load average at the start.
inline void print_host(const std::string &kernel) {
    std::printf("host: %s, ISA %s; kernel: %s; THP %s; %s\n", cpu_model().c_str(), cpu_isa().c_str(), kernel.c_str(),
                thp_mode().c_str(), load_average().c_str());
}

// The load average again at the end: a result measured while the load rose is suspect.
inline void print_load_end() {
    std::printf("end: %s\n", load_average().c_str());
}

inline double median(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const size_t m = v.size();
    return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

// A case timed `reps` times with a peak measurement before each sample, so that the peak a rate is divided
// by comes from the same minutes of the same (shared) machine. Peak: the median of its samples (a best-of
// would inflate it on a quiet moment); case: best and median seconds.
struct Interleaved {
    double peak_median = 0; // in the peak function's unit (e.g. GFLOP/s)
    double best = 0, med = 0;
};
inline Interleaved interleave(const std::function<double()> &peak_once, const std::function<double()> &case_seconds,
                              int reps) {
    std::vector<double> peaks, times;
    for (int r = 0; r < std::max(1, reps); ++r) {
        peaks.push_back(peak_once());
        times.push_back(case_seconds());
    }
    Interleaved out;
    out.peak_median = median(peaks);
    out.best = *std::min_element(times.begin(), times.end());
    out.med = median(times);
    return out;
}

// Percent of the peak, with a warning when a rate exceeds the measured peak (the peak was disturbed, or the
// flop count is wrong): such a percentage must not be read as a real one.
inline double percent_of_peak(double rate, double peak, const char *what) {
    const double pct = peak > 0 ? 100.0 * rate / peak : 0.0;
    if (pct > 100.0)
        std::printf("WARNING: %s at %.0f%% of the measured peak (> 100%%: the peak sample was disturbed or the flop "
                    "count is off; do not quote it)\n",
                    what, pct);
    return pct;
}

// A reference program (a Python script) run without a shell, its stdout and stderr captured. `ok` is false
// when it could not start, failed, or skipped itself (the scripts print "SKIP: reason" and exit 3 when
// torch or numpy is not importable); `output` then holds the reason, and the caller prints no ratio.
struct Reference {
    bool ok = false;
    std::string output;
};
//
// Under THP `madvise` the reference is started with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (glibc >= 2.35: malloc
// asks for transparent huge pages itself) unless the caller set GLIBC_TUNABLES: PyTorch maps its large tensors
// afresh every step, and faulted in 4 KiB pages its Birth d = 256 step took 25-34 s instead of 5-6 s on the
// project's virtual build machine. The reference is measured at its best, no root needed; its system time and
// page faults are printed so that a reader can see what the ratio includes.
inline Reference run_reference(const std::vector<std::string> &argv) {
    const std::string log = "/tmp/tdlab_bench_ref_" + std::to_string(::getpid()) + ".log";
    std::remove(log.c_str());
    Reference r;
    const bool hugetlb = thp_mode() == "madvise" && std::getenv("GLIBC_TUNABLES") == nullptr;
    if (hugetlb) ::setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1);
    rusage before{}, after{};
    ::getrusage(RUSAGE_CHILDREN, &before);
    try {
        const ProcessResult pr = run_process(argv, {}, log);
        ::getrusage(RUSAGE_CHILDREN, &after);
        const double sys = double(after.ru_stime.tv_sec - before.ru_stime.tv_sec) +
                           1e-6 * double(after.ru_stime.tv_usec - before.ru_stime.tv_usec);
        std::printf("  reference process: %.1f s system time, %ld minor page faults (%s)\n", sys,
                    long(after.ru_minflt - before.ru_minflt),
                    hugetlb ? "THP madvise, started with GLIBC_TUNABLES=glibc.malloc.hugetlb=1"
                            : ("THP " + thp_mode() + ", environment as given").c_str());
        std::ifstream f(log);
        std::stringstream ss;
        ss << f.rdbuf();
        r.output = ss.str();
        r.ok = pr.ok() && r.output.find("SKIP:") == std::string::npos;
        // The reference's own host line (its library's kernel and the load when it ran), shown once.
        if (const auto h = r.output.find("host: "); r.ok && h != std::string::npos)
            std::printf("  reference %s\n", r.output.substr(h, r.output.find('\n', h) - h).c_str());
        if (!pr.ok() && r.output.find("SKIP:") == std::string::npos) r.output += " (" + pr.describe() + ")";
    } catch (const std::exception &e) {
        r.output = e.what();
    }
    if (hugetlb) ::unsetenv("GLIBC_TUNABLES");
    std::remove(log.c_str());
    return r;
}

// Prints why a comparison is skipped (the reference's own message, trimmed).
inline void print_skipped(const char *what, const std::string &reason) {
    std::string s = reason;
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    std::printf("%s comparison skipped: %s\n", what, s.empty() ? "no output" : s.c_str());
}

} // namespace tdlab::bench
