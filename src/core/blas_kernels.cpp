#include "core/blas_kernels.h"

#include <cblas.h>

namespace tdlab {

std::string blas_core_name() {
    const char *name = openblas_get_corename();
    return name ? std::string(name) : std::string("unknown");
}

} // namespace tdlab
