#include "nn/blas_threads.h"

#include <cblas.h>

namespace tdlab::nn {

BlasSingleThread::BlasSingleThread() : saved_(openblas_get_num_threads()) {
    if (saved_ != 1) openblas_set_num_threads(1);
}
BlasSingleThread::~BlasSingleThread() {
    if (saved_ != 1) openblas_set_num_threads(saved_);
}

void set_blas_threads(int n) {
    openblas_set_num_threads(n < 1 ? 1 : n);
}
int blas_threads() {
    return openblas_get_num_threads();
}

} // namespace tdlab::nn
