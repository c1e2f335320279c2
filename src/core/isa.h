// Which vector instruction sets this build may use at run time.
//
// tdlab picks its kernels at run time from the CPU (GCC function multi-versioning and __builtin_cpu_supports).
// A build configured with -DTDLAB_AVX512=OFF (CMake preset "avx2") never takes an AVX-512 path, even on a CPU
// that has it: every multi-versioned function and every run-time choice then runs what an AVX2 host (x86-64-v3)
// runs. That is how an AVX2 host's speed is measured on an AVX-512 machine (docs/performance.md, "Measuring an
// AVX2 host"); together with OPENBLAS_CORETYPE=Haswell and LIBXSMM_TARGET=hsw the libraries follow. The bytes of
// a run are those of the AVX2 kernels.
#pragma once

#include <string>

// Clones for the x86-64 micro-architecture levels v4 (AVX-512), v3 (AVX2, FMA) and the baseline.
#ifdef TDLAB_NO_AVX512
#define TDLAB_CLONES_V4_V3 __attribute__((target_clones("arch=x86-64-v3", "default")))
#define TDLAB_CLONES_AVX512_AVX2 __attribute__((target_clones("avx2", "default")))
#else
#define TDLAB_CLONES_V4_V3 __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define TDLAB_CLONES_AVX512_AVX2 __attribute__((target_clones("avx512f", "avx2", "default")))
#endif

namespace tdlab {

// Whether this build may use AVX-512 (false when configured with TDLAB_AVX512=OFF).
#ifdef TDLAB_NO_AVX512
constexpr bool kAvx512Allowed = false;
#else
constexpr bool kAvx512Allowed = true;
#endif

// The CPU's AVX-512 foundation and byte/word instructions, false in a build without AVX-512.
inline bool cpu_has_avx512f() {
    __builtin_cpu_init();
    return kAvx512Allowed && __builtin_cpu_supports("avx512f");
}
inline bool cpu_has_avx512bw() {
    return cpu_has_avx512f() && __builtin_cpu_supports("avx512bw");
}

// The level whose clones tdlab's own multi-versioned kernels run, on this CPU with this build: "AVX-512
// (x86-64-v4)", "AVX2 (x86-64-v3)" or "baseline (x86-64)"; when the CPU has AVX-512 and the build leaves it out,
// followed by "; the CPU's AVX-512 unused (built with TDLAB_AVX512=OFF)", and on a CPU with AVX-512F but not all
// of v4 by " clones; AVX-512F paths" (the float exp and the DMFT kernel test AVX-512F alone). Every manifest.json
// records it as "vector_isa" and `tdlab --version` prints it: which code ran, for timings and provenance. The
// clones are written to give the same bits at every level (the avx2 build writes the AVX-512 build's bytes given
// the same library kernels: docs/performance.md, "Measuring an AVX2 host"); what the bytes follow is recorded
// beside it: OpenBLAS's kernels ("blas_core"), libxsmm's ("block_products") and the DMFT kernel ("simd").
std::string vector_isa();

} // namespace tdlab
