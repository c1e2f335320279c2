// RAII guard: OpenBLAS runs single-threaded while it lives (restored on exit). Used around OpenMP regions
// whose threads each call cblas_sgemm on their own slice, so that BLAS does not oversubscribe the cores
// and every slice is computed by one thread with the same code (results independent of thread count).
#pragma once

namespace tdlab::nn {

class BlasSingleThread {
  public:
    BlasSingleThread();
    ~BlasSingleThread();
    BlasSingleThread(const BlasSingleThread &) = delete;
    BlasSingleThread &operator=(const BlasSingleThread &) = delete;

  private:
    int saved_;
};

// Sets the OpenBLAS thread count (the big GEMMs outside OpenMP regions use it).
void set_blas_threads(int n);
int blas_threads();

} // namespace tdlab::nn
