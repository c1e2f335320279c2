// The reparameterised 1-layer model of Scan and Snap as the official code trains it (`Model2`,
// Tian et al. 2023, arXiv 2305.16380, Sec. 3.1; docs/scansnap.md "Model"), with a closed-form backward.
//
// Parameters (both M x M, row-major; Real = float as the official PyTorch code, or double for the
// finite-difference checks):
//   Y[l*M + k] = K1.weight[k][l]: row l is the decoder vector of context token l (logit_k = sum_l Y[l,k] f_l).
//   Z[m*M + l] = K2.weight[m][l]: attention logit of query m on key token l.
// Forward for one sequence with query m and context counts c_l over the class support:
//   v_l = c_l exp(Z[m,l]) / sum_l' c_l' exp(Z[m,l'])         (= X^T b, b = softmax over the L-1 positions)
//   f = v / ||v||_2 (normalize = true in every experiment), logits = Y^T f, loss = CE(logits, label),
//   averaged over the batch.
// Backward (per sample, g = (softmax - e_label)/B):
//   dY[l,:] += f_l g;  df = Y g (restricted to the support);  dv = (df - (f.df) f)/||v||;
//   dZ[m,l] += v_l (dv_l - v.dv)   (the subtracted term is ~0 because v.dv = 0; kept for exactness).
// Samples are sorted by class, so the samples that share a support block (SeqClasses::blocks(): the
// common tokens, shared by every class; each class's distinct tokens) are a contiguous range of rows,
// and each product is one BLAS GEMM per block on contiguous slices, with no gather or scatter:
//   logits[rows] (R x M) += F[rows, cols] (R x len) Y[tokens] (len x M)
//   dY[tokens]   (len x M) += F[rows, cols]^T G[rows]          dF[rows, cols] (R x len) = G[rows] Y[tokens]^T
#pragma once

#include "core/aligned_vector.h"
#include "scansnap/dataset.h"

#include <vector>

namespace tdlab::scansnap {

template <class Real> struct YZParamsT {
    int M = 0;
    AlignedVector<Real> Y, Z;
    explicit YZParamsT(int M_ = 0) : M(M_), Y(size_t(M_) * size_t(M_), Real(0)), Z(size_t(M_) * size_t(M_), Real(0)) {}
    // PyTorch nn.Linear default init: every entry i.i.d. U(-1/sqrt(M), 1/sqrt(M)). K1 is drawn first, then
    // K2, both in K-row-major order (K1[k][l] fills Y[l*M+k]). Drawn in double and rounded to Real, so a
    // float and a double run of the same seed start from the same point up to rounding.
    void init_uniform(CounterRng &rng);
};
using YZParams = YZParamsT<double>;

struct ForwardStats {
    double loss = 0.0;        // mean cross-entropy over the batch
    double gamma_proxy = 0.0; // mean_i ||Y (e_label - softmax)||_2 over the batch (only if requested)
};

// Scratch buffers, reused across iterations (no allocation in the training loop).
struct DyTask {
    int block = 0, col = 0, cols = 0; // dY[block tokens, col .. col + cols)
};
// How dF = G Y^T of a block reaches BLAS: Auto picks by OpenBLAS's kernels (one GEMM per block where they
// multiply small matrices without packing, else a GEMV per row of a small block); tests force either.
enum class DfForm { Auto, Gemv, Gemm };
template <class Real> struct YZWorkspaceT {
    DfForm df_form = DfForm::Auto;
    std::vector<int> order, offsets, pos;
    AlignedVector<Real> e, F, V, norm, dF, G, gY;
    std::vector<double> row_loss;
    std::vector<DyTask> dy_tasks;
};
using YZWorkspace = YZWorkspaceT<double>;

// Computes the batch-mean loss, sets grad.Y on the context-token rows (every support block; the other rows
// are left alone) and adds the gradient into grad.Z (the caller zeroes it; the Z optimiser does, as it
// consumes it). OpenMP threads share the work of the batch; the bytes do not
// depend on their number (fixed tasks, see model.cpp).
// `gamma_proxy` adds the M x M product needed for ||Y g|| (off by default: it dominates the cost).
// Instantiated for float and double; the loss is accumulated in double either way.
template <class Real>
ForwardStats forward_backward(const SeqClasses &data, const Batch &batch, const YZParamsT<Real> &p, bool normalize,
                              YZParamsT<Real> &grad, YZWorkspaceT<Real> &ws, bool gamma_proxy = false);

// What multiplies the forward and dY block products of forward_backward: "libxsmm 1.17 (hsw)" where OpenBLAS's
// kernels would pack every small product, else "OpenBLAS (<kernels>)". Their last bits depend on it (manifests
// record it as block_products).
std::string block_products_backend();

// Whether forward_backward (and sample_batch) share a batch of size B among OpenMP threads: only when the
// work is large enough to pay for it (model.cpp, kParallelWork).
bool batch_uses_threads(const SeqClasses &data, int B);

// Loss only (used by the finite-difference test).
double forward_loss(const SeqClasses &data, const Batch &batch, const YZParams &p, bool normalize);

} // namespace tdlab::scansnap
