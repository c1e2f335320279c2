#include "nn/blas_threads.h"

#include <cblas.h>

namespace tdlab::nn {

void ensure_blas_single_thread() {
    if (openblas_get_num_threads() != 1) openblas_set_num_threads(1);
}

} // namespace tdlab::nn
