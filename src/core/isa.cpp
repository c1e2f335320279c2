#include "core/isa.h"

namespace tdlab {

std::string vector_isa() {
#if defined(__x86_64__)
    __builtin_cpu_init();
    // The same test as the resolvers of GCC's target_clones ("arch=x86-64-v4" / "arch=x86-64-v3").
    const bool v4 = __builtin_cpu_supports("x86-64-v4"), v3 = __builtin_cpu_supports("x86-64-v3");
    const bool f = __builtin_cpu_supports("avx512f");
    if (v4 && kAvx512Allowed) return "AVX-512 (x86-64-v4)";
    const std::string level = v3 ? "AVX2 (x86-64-v3)" : "baseline (x86-64)";
    if (f && !kAvx512Allowed) return level + "; the CPU's AVX-512 unused (built with TDLAB_AVX512=OFF)";
    // AVX-512F without the rest of v4 (Xeon Phi): the clones run `level`, the paths that test AVX-512F alone
    // (float exp, DMFT kernel) run AVX-512.
    if (f) return level + " clones; AVX-512F paths";
    return level;
#else
    return "baseline (not x86-64)";
#endif
}

} // namespace tdlab
