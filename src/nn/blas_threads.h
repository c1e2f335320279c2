// OpenBLAS thread control. tdlab keeps OpenBLAS single-threaded: its threaded sgemm is not bitwise
// reproducible across thread counts (see gemm.h), so parallelism comes from OpenMP over fixed tiles or
// over (batch, head) slices, each slice computed by one single-threaded BLAS call.
#pragma once

namespace tdlab::nn {

// Sets OpenBLAS to one thread (once; cheap afterwards). Called by every nn kernel that uses BLAS.
void ensure_blas_single_thread();

} // namespace tdlab::nn
