#include "core/blas_kernels.h"

#include <cblas.h>
#include <cstdlib>
#include <unistd.h>

namespace tdlab {

std::string blas_core_name() {
    const char *name = openblas_get_corename();
    return name ? std::string(name) : std::string("unknown");
}

std::string better_blas_core() {
#if defined(__x86_64__)
    if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return "";
    if (blas_core_name() != "Prescott") return "";
    __builtin_cpu_init();
    const bool skx = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
                     __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
                     __builtin_cpu_supports("avx512vl");
    if (skx && __builtin_cpu_supports("avx512bf16")) return "Cooperlake";
    if (skx) return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return "";
}

void restart_with_better_blas_core(char **argv) {
    const std::string core = better_blas_core();
    if (core.empty()) return;
    if (setenv("OPENBLAS_CORETYPE", core.c_str(), 1) != 0) return;
    execv("/proc/self/exe", argv); // returns only on failure: go on with OpenBLAS's own kernels
    unsetenv("OPENBLAS_CORETYPE");
}

} // namespace tdlab
