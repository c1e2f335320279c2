// Which OpenBLAS kernels this process runs. OpenBLAS picks them once, when the library is loaded, from the
// CPU or from OPENBLAS_CORETYPE. The last bits of BLAS products depend on the kernels, so every
// manifest.json records them ("blas_core").
//
// OpenBLAS 0.3.21 (Debian 12) does not know recent Intel server cores (e.g. a Sapphire Rapids Xeon behind
// a hypervisor that reports "Intel(R) Xeon(R) Processor") and falls back to its generic SSE3 "Prescott"
// kernels there: sgemm at 32 GFLOP/s per core instead of 109 (SkylakeX) or 140 (Cooperlake) on such a
// machine, measured with a 512^3 product. The command line therefore restarts itself once with
// OPENBLAS_CORETYPE set to the kernels the CPU's ISA supports (docs/performance.md, "OpenBLAS kernels").
#pragma once

#include <string>

namespace tdlab {

// OpenBLAS's name for the kernels in use ("Haswell", "SkylakeX", "Cooperlake", "Prescott", ...).
std::string blas_core_name();

// The OPENBLAS_CORETYPE value to use instead of OpenBLAS's own choice, or "" to keep it. Non-empty only
// when OpenBLAS fell back to "Prescott" although the CPU has AVX2 + FMA ("Haswell"), AVX-512 F/CD/BW/DQ/VL
// ("SkylakeX") or those and AVX-512 BF16 ("Cooperlake"), and OPENBLAS_CORETYPE is not set (a value the user
// set, even "Prescott", always wins).
std::string better_blas_core();

// If better_blas_core() is non-empty: sets OPENBLAS_CORETYPE to it and replaces this process by the same
// program with the same arguments (execv of /proc/self/exe, no shell; the environment variable guards
// against a second restart). Returns when there is nothing to do or the exec failed (the run then goes on
// with OpenBLAS's own kernels). Call first thing in main(), before any thread or file is opened.
void restart_with_better_blas_core(char **argv);

} // namespace tdlab
