#include "scansnap/model.h"

#include "core/blas_kernels.h"
#include "core/isa.h"
#include "core/vexp.h"
#include "nn/small_gemm.h"

#include <algorithm>
#include <cblas.h>
#include <cmath>
#include <cstring>
#include <string>

namespace tdlab::scansnap {

// The draws of rng.uniform() taken M at a time with fill_u64 (the same values in the same order, one vectorised
// loop instead of M calls), then mapped exactly as uniform() maps them.
template <class Real> void YZParamsT<Real>::init_uniform(CounterRng &rng) {
    const double bound = 1.0 / std::sqrt(double(M));
    std::vector<uint64_t> w(static_cast<size_t>(M));
    auto draw = [&] {
        rng.fill_u64(w.data(), w.size());
        return [&](size_t l) { return Real((2.0 * (double(w[l] >> 11) * 0x1.0p-53) - 1.0) * bound); };
    };
    for (int k = 0; k < M; ++k) {
        const auto value = draw();
        for (int l = 0; l < M; ++l) Y[size_t(l) * M + k] = value(size_t(l));
    }
    for (int m = 0; m < M; ++m) {
        const auto value = draw();
        for (int l = 0; l < M; ++l) Z[size_t(m) * M + l] = value(size_t(l));
    }
}

namespace {

// Row-major C (m x n) = op(A) op(B) + beta C through the BLAS of the element type.
void gemm(bool ta, bool tb, int m, int n, int k, const double *A, int lda, const double *B, int ldb, double beta,
          double *C, int ldc) {
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0, A, lda, B,
                ldb, beta, C, ldc);
}
void gemm(bool ta, bool tb, int m, int n, int k, const float *A, int lda, const float *B, int ldb, float beta, float *C,
          int ldc) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, A, lda, B,
                ldb, beta, C, ldc);
}

// y (m) = A (m x n, row-major) x.
void gemv(int m, int n, const double *A, int lda, const double *x, double *y) {
    cblas_dgemv(CblasRowMajor, CblasNoTrans, m, n, 1.0, A, lda, x, 1, 0.0, y, 1);
}
void gemv(int m, int n, const float *A, int lda, const float *x, float *y) {
    cblas_sgemv(CblasRowMajor, CblasNoTrans, m, n, 1.0f, A, lda, x, 1, 0.0f, y, 1);
}

// Reductions over a row in 16 fixed lanes (lane j takes elements j, j+16, ...; then a fixed tree), so the
// compiler vectorises them at any width and every CPU gets the same bits (a plain loop would be a serial
// chain: reassociating it, as fast-math mode would, changes the bits per target).
constexpr int kLanes = 16;
template <class Real> inline __attribute__((always_inline)) Real lane_sum(const Real *x, int n) {
    Real acc[kLanes] = {};
    int i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (int j = 0; j < kLanes; ++j) acc[j] += x[i + j];
    for (int j = 0; i + j < n; ++j) acc[j] += x[i + j];
    for (int w = kLanes / 2; w > 0; w /= 2)
        for (int j = 0; j < w; ++j) acc[j] += acc[j + w];
    return acc[0];
}
// The max's 16 lanes are two GCC vectors of 8 (lanes 0-7 and 8-15): written on an array, g++ 12 kept the
// compare-and-select in 16 scalar registers (vmaxss, a tenth of a run's time), and as one vector of 16 it did the
// same in its AVX2 clone (a vector twice the register width is lowered lane by lane: softmax_xent took 17% of a
// run on an AVX2 host instead of 5%). Eight lanes are one AVX2 register and half an AVX-512 one; the per-lane
// select is the same in the same order: the same bits (fig4_quick and the Fig 6 sweep `cmp`-equal across the change
// and between the AVX-512 and AVX2 builds).
template <class Real> inline __attribute__((always_inline)) Real lane_max(const Real *x, int n) {
    constexpr int H = kLanes / 2;
    typedef Real Half __attribute__((vector_size(H * sizeof(Real))));
    Half lo, hi;
    for (int j = 0; j < H; ++j) lo[j] = hi[j] = x[0];
    int i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        Half a, b;
        std::memcpy(&a, x + i, sizeof a);
        std::memcpy(&b, x + i + H, sizeof b);
        lo = lo > a ? lo : a;
        hi = hi > b ? hi : b;
    }
    Real acc[kLanes];
    std::memcpy(acc, &lo, sizeof lo);
    std::memcpy(acc + H, &hi, sizeof hi);
    for (int j = 0; i + j < n; ++j) acc[j] = acc[j] > x[i + j] ? acc[j] : x[i + j];
    for (int w = kLanes / 2; w > 0; w /= 2)
        for (int j = 0; j < w; ++j) acc[j] = acc[j] > acc[j + w] ? acc[j] : acc[j + w];
    return acc[0];
}

// Softmax cross-entropy of each row of logits (rows x M), in place: row r becomes g_r = (a_r - e_label) *
// scale with a_r = softmax(logits_r); loss[r] = the row's cross-entropy (in double).
template <class Real>
inline __attribute__((always_inline)) void softmax_xent_rows(Real *x, int rows, int M, int label, Real scale,
                                                             double *loss) {
    for (int r = 0; r < rows; ++r) {
        Real *g = x + size_t(r) * M;
        const Real mx = lane_max(g, M), zl = g[label] - mx;
        for (int k = 0; k < M; ++k) g[k] -= mx;
        tdlab::exp_inplace(g, M);
        const Real sum = lane_sum(g, M);
        loss[r] = std::log(double(sum)) - double(zl);
        const Real f = scale / sum;
        for (int k = 0; k < M; ++k) g[k] *= f;
        g[label] -= scale;
    }
}
TDLAB_CLONES_V4_V3 void softmax_xent(float *x, int rows, int M, int label, float scale, double *loss) {
    softmax_xent_rows(x, rows, M, label, scale, loss);
}
TDLAB_CLONES_V4_V3 void softmax_xent(double *x, int rows, int M, int label, double scale, double *loss) {
    softmax_xent_rows(x, rows, M, label, scale, loss);
}

// Sorts the batch by class: order[offsets[n] .. offsets[n+1]) are the samples of class n.
template <class Real> void group_by_class(const Batch &batch, int K, YZWorkspaceT<Real> &ws) {
    ws.offsets.assign(size_t(K) + 1, 0);
    for (int n : batch.cls) ws.offsets[size_t(n) + 1] += 1;
    for (int n = 0; n < K; ++n) ws.offsets[size_t(n) + 1] += ws.offsets[size_t(n)];
    ws.order.resize(size_t(batch.B));
    ws.pos.assign(ws.offsets.begin(), ws.offsets.end() - 1);
    for (int i = 0; i < batch.B; ++i) ws.order[size_t(ws.pos[size_t(batch.cls[size_t(i)])]++)] = i;
}

// The work of one iteration is cut into tasks that are a function of the batch layout only (row tiles of
// the sorted batch, column tiles of dY for blocks shared by several classes), never of the thread count;
// each output element is written by one task with one fixed sequence of operations, so the bytes are the
// same for any number of OpenMP threads.
constexpr int kRowTile = 64;
constexpr int kColTile = 128;
// dF of a block with fewer rows than this goes row by row through GEMV when OpenBLAS packs every GEMM
// (Haswell kernels: a 6 x 10 GEMM with k = 240 costs twice six GEMVs, 1.55 us against 0.74 us). Its
// SkylakeX/Cooperlake kernels multiply small matrices without packing (OpenBLAS >= 0.3.16, "small matrix"
// kernels); there one GEMM per block is 2.5x faster than the GEMVs (docs/performance.md, Scan and Snap).
// A function of the shape and of the kernels only (manifest.json records them as blas_core).
constexpr int kGemvRows = 16;
// Multiply-adds per product (B x S x M) from which one iteration is shared among threads (B = 1024, M = 240:
// 1.3x on 2 threads; B = 4096, M = 1200: 1.7x; B = 128, M = 240: slower, so serial).
constexpr size_t kParallelWork = size_t(2) << 20;

// Whether OpenBLAS runs its small-matrix GEMM kernels (no packing, no buffer lock) for our shapes.
bool blas_small_gemm() {
    static const bool yes = [] {
        const std::string core = blas_core_name();
        return core == "SkylakeX" || core == "Cooperlake" || core == "SapphireRapids";
    }();
    return yes;
}

// The forward and dY block products (row-major, no transposed B) through libxsmm's kernels (nn/small_gemm.h) where
// OpenBLAS would pack every one (its Haswell kernels, what an AVX2 host runs): a run of 100 iterations at B = 128
// took 9.3-9.5 ms against 11.3-11.5 (docs/performance.md, "2026-12-02 (fourth session)"). Where OpenBLAS has its
// small-matrix kernels they stay (libxsmm was no faster there: 6.5 against 6.2-6.4 ms), so those hosts keep their
// bytes. dF = G Y^T has a transposed B, for which libxsmm 1.17 has no kernel; a Y^T written once per iteration
// cost more than it saved. A function of the kernels only (the manifest records both).
bool blocks_on_libxsmm() {
    static const bool yes = !blas_small_gemm() && nn::small_gemm_is_libxsmm();
    return yes;
}
template <class Real>
void block_gemm(bool ta, int m, int n, int k, const Real *A, int lda, const Real *B, int ldb, Real beta, Real *C,
                int ldc) {
    if (blocks_on_libxsmm())
        nn::small_gemm(ta, m, n, k, A, lda, B, ldb, beta, C, ldc);
    else
        gemm(ta, false, m, n, k, A, lda, B, ldb, beta, C, ldc);
}

// Rows [t0, t1) of the sorted batch that block b covers (empty when r1 <= r0).
inline void block_rows(const SupportBlock &b, const std::vector<int> &off, int t0, int t1, int &r0, int &r1) {
    r0 = std::max(t0, off[size_t(b.class_begin)]);
    r1 = std::min(t1, off[size_t(b.class_end)]);
}

// f(i) for i in [0, n): with `shared`, as a worksharing loop of the enclosing team (dynamic, one index at a
// time); otherwise a plain loop, in the same order as a team of one. A serial iteration stays out of OpenMP
// altogether: libgomp ends every worksharing loop of a team, even a team of one, with a futex wake, a system
// call (~1 us on a virtual machine, 9 per iteration: 7% of a B = 128 run).
template <class F> inline void for_each_task(bool shared, int n, F &&f) {
    if (shared) {
#pragma omp for schedule(dynamic, 1)
        for (int i = 0; i < n; ++i) f(i);
    } else {
        for (int i = 0; i < n; ++i) f(i);
    }
}

// Rows handled together by the per-row reductions below. Each row's sum stays one serial chain in support
// order (its bits), but a chain of S dependent adds waits on the adder's latency; the chains of kRowGroup rows
// are independent and run interleaved (one row at a time, they were ~12% of a B = 128 run). G is a constant
// so that the G sums live in registers; a class's last rows go one at a time (G = 1).
constexpr int kRowGroup = 8;

// v, norm and F of the G sorted rows from r0 (attend_class below).
template <int G, class Real>
inline __attribute__((always_inline)) void attend_rows(const Batch &batch, int r0, bool normalize, const Real *e,
                                                       YZWorkspaceT<Real> &ws) {
    const int S = batch.S;
    Real *V = &ws.V[size_t(r0) * S];
    for (int j = 0; j < G; ++j) {
        const int32_t *cnt = &batch.counts[size_t(ws.order[size_t(r0 + j)]) * S];
        for (int s = 0; s < S; ++s) V[j * S + s] = Real(cnt[s]) * e[s];
    }
    Real sum[G] = {}, sq[G] = {};
    for (int s = 0; s < S; ++s)
        for (int j = 0; j < G; ++j) sum[j] += V[j * S + s];
    for (int j = 0; j < G; ++j)
        for (int s = 0; s < S; ++s) V[j * S + s] /= sum[j];
    for (int s = 0; s < S; ++s)
        for (int j = 0; j < G; ++j) sq[j] += V[j * S + s] * V[j * S + s];
    for (int j = 0; j < G; ++j) {
        const Real nv = normalize ? std::sqrt(sq[j]) : Real(1);
        ws.norm[size_t(r0 + j)] = nv;
        Real *f = &ws.F[size_t(r0 + j) * S];
        for (int s = 0; s < S; ++s) f[s] = V[j * S + s] / nv;
    }
}

// Attention of the samples of class n (sorted rows [begin, begin + Bn)): e_s = exp(Z[m, support_s] - max)
// is shared by the class; per sample v = X^T b on the support (v_s = c_s e_s / sum c e), norm = ||v||,
// F row = v / norm. The two sums run in support order as a serial chain per row (their bits); the
// elementwise steps are loops of their own so that their divisions vectorise (one scalar divss per element
// was a quarter of this function's time): the same operations in the same order, the same bits.
template <class Real>
inline __attribute__((always_inline)) void attend_class_rows(const SeqClass &c, const YZParamsT<Real> &p,
                                                             const Batch &batch, int begin, int Bn, bool normalize,
                                                             Real *e, YZWorkspaceT<Real> &ws) {
    const int S = batch.S;
    const Real *z = &p.Z[size_t(c.query) * p.M];
    Real zmax = -INFINITY;
    for (int s = 0; s < S; ++s) zmax = std::max(zmax, z[c.support[size_t(s)]]);
    for (int s = 0; s < S; ++s) e[s] = std::exp(z[c.support[size_t(s)]] - zmax);
    int r = begin;
    for (; r + kRowGroup <= begin + Bn; r += kRowGroup) attend_rows<kRowGroup>(batch, r, normalize, e, ws);
    for (; r < begin + Bn; ++r) attend_rows<1>(batch, r, normalize, e, ws);
}

// Backward of the attention for the G sorted rows from r0 of one class, into dz (the query's row of dZ):
// dv = (df - (f.df) f) / ||v||, in place of df; dZ[m, l_s] += v_s (dv_s - v.dv). The dot products are serial
// chains per row, G rows interleaved; dz is updated row after row, as one row at a time did.
template <int G, class Real>
inline __attribute__((always_inline)) void attend_rows_backward(const SeqClass &c, int r0, int S, bool normalize,
                                                                YZWorkspaceT<Real> &ws, Real *dz) {
    const Real *F = &ws.F[size_t(r0) * S], *V = &ws.V[size_t(r0) * S];
    Real *dF = &ws.dF[size_t(r0) * S];
    Real fdf[G] = {}, vdv[G] = {};
    if (normalize) {
        for (int s = 0; s < S; ++s)
            for (int j = 0; j < G; ++j) fdf[j] += F[j * S + s] * dF[j * S + s];
    }
    for (int j = 0; j < G; ++j) {
        const Real inv = Real(1) / ws.norm[size_t(r0 + j)];
        for (int s = 0; s < S; ++s) dF[j * S + s] = (dF[j * S + s] - fdf[j] * F[j * S + s]) * inv; // now dv
    }
    for (int s = 0; s < S; ++s)
        for (int j = 0; j < G; ++j) vdv[j] += V[j * S + s] * dF[j * S + s];
    for (int j = 0; j < G; ++j)
        for (int s = 0; s < S; ++s) dz[c.support[size_t(s)]] += V[j * S + s] * (dF[j * S + s] - vdv[j]);
}

template <class Real>
inline __attribute__((always_inline)) void attend_class_rows_backward(const SeqClass &c, int begin, int end, int S,
                                                                      bool normalize, YZWorkspaceT<Real> &ws,
                                                                      Real *dz) {
    int r = begin;
    for (; r + kRowGroup <= end; r += kRowGroup) attend_rows_backward<kRowGroup>(c, r, S, normalize, ws, dz);
    for (; r < end; ++r) attend_rows_backward<1>(c, r, S, normalize, ws, dz);
}

// The attention passes built for the CPU's vector width: the G rows of a group are independent chains that the
// compiler lays across vector lanes, twice as many per instruction with AVX2 as with the baseline SSE2 (they were
// ~6% of a B = 128 run on an AVX2 host). Each row's operations and their order are the source's, so every clone
// gives the same bits (-ffp-contract=off: no fused multiply-adds).
TDLAB_CLONES_V4_V3 void attend_class(const SeqClass &c, const YZParamsT<float> &p, const Batch &batch, int begin,
                                     int Bn, bool normalize, float *e, YZWorkspaceT<float> &ws) {
    attend_class_rows(c, p, batch, begin, Bn, normalize, e, ws);
}
TDLAB_CLONES_V4_V3 void attend_class(const SeqClass &c, const YZParamsT<double> &p, const Batch &batch, int begin,
                                     int Bn, bool normalize, double *e, YZWorkspaceT<double> &ws) {
    attend_class_rows(c, p, batch, begin, Bn, normalize, e, ws);
}
TDLAB_CLONES_V4_V3 void attend_class_backward(const SeqClass &c, int begin, int end, int S, bool normalize,
                                              YZWorkspaceT<float> &ws, float *dz) {
    attend_class_rows_backward(c, begin, end, S, normalize, ws, dz);
}
TDLAB_CLONES_V4_V3 void attend_class_backward(const SeqClass &c, int begin, int end, int S, bool normalize,
                                              YZWorkspaceT<double> &ws, double *dz) {
    attend_class_rows_backward(c, begin, end, S, normalize, ws, dz);
}

} // namespace

template <class Real>
ForwardStats forward_backward(const SeqClasses &data, const Batch &batch, const YZParamsT<Real> &p, bool normalize,
                              YZParamsT<Real> &grad, YZWorkspaceT<Real> &ws, bool gamma_proxy) {
    const int M = p.M, K = data.K(), S = batch.S, B = batch.B;
    group_by_class(batch, K, ws);
    const std::vector<int> &off = ws.offsets;
    const std::vector<SupportBlock> &blocks = data.blocks();
    ws.e.resize(size_t(K) * S);
    ws.V.resize(size_t(B) * S);
    ws.F.resize(size_t(B) * S);
    ws.dF.resize(size_t(B) * S);
    ws.norm.resize(size_t(B));
    ws.G.resize(size_t(B) * M);
    ws.row_loss.resize(size_t(B));
    // dY tasks: (block, first column, columns); blocks shared by several classes are cut into column tiles.
    // A serial iteration gives each shared block's dY one task (one BLAS call: the same bits as the column
    // tiles); a team cuts it into column tiles. Either way a function of the configuration, not of the thread
    // count. The row tiles stay: one tile of the whole batch changes how the blocks that straddle a tile
    // boundary are cut, hence the last bits.
    const bool team = batch_uses_threads(data, B);
    const int row_tile = kRowTile, col_tile = team ? kColTile : M;
    ws.dy_tasks.clear();
    for (int b = 0; b < int(blocks.size()); ++b) {
        const bool shared = blocks[size_t(b)].class_end - blocks[size_t(b)].class_begin > 1;
        for (int k0 = 0; k0 < M; k0 += shared ? col_tile : M)
            ws.dy_tasks.push_back({b, k0, std::min(M - k0, shared ? col_tile : M)});
    }
    const int tiles = (B + row_tile - 1) / row_tile, ntasks = int(ws.dy_tasks.size());
    const int gemv_rows = ws.df_form == DfForm::Gemm || (ws.df_form == DfForm::Auto && blas_small_gemm()) ? 1
                          : ws.df_form == DfForm::Gemv                                                    ? B + 1
                                                                                                          : kGemvRows;
    const Real scale = Real(1) / Real(B);
    // A team only pays off for large batches: at B = 128, M = 240 the per-iteration work (~100 us) is too
    // small for the barriers and OpenBLAS's allocation lock (measured: 2 threads slower than 1). The bytes are
    // the same either way.
    auto passes = [&](bool shared) {
        // Forward, attention: F (B x S), rows sorted by class.
        for_each_task(shared, K, [&](int n) {
            if (off[size_t(n) + 1] > off[size_t(n)])
                attend_class(data.cls(n), p, batch, off[size_t(n)], off[size_t(n) + 1] - off[size_t(n)], normalize,
                             &ws.e[size_t(n) * S], ws);
        });
        // Forward, decoder, per row tile: logits (R x M) = sum over blocks of F[rows, cols] Y[tokens]; then the
        // loss and G = (softmax - e_label) / B in place of the logits, per run of rows of one class.
        for_each_task(shared, tiles, [&](int t) {
            const int t0 = t * row_tile, t1 = std::min(B, t0 + row_tile);
            // A first block that every class shares (the common tokens) covers the tile: it sets the logits
            // (beta = 0) instead of adding to zeros, the same values without the fill.
            const bool first_sets = blocks[0].class_begin == 0 && blocks[0].class_end == K;
            if (!first_sets) std::fill(&ws.G[size_t(t0) * M], &ws.G[size_t(t1) * M], Real(0));
            for (const SupportBlock &b : blocks) {
                int r0, r1;
                block_rows(b, off, t0, t1, r0, r1);
                if (r1 > r0)
                    block_gemm(false, r1 - r0, M, b.len, &ws.F[size_t(r0) * S + b.col], S, &p.Y[size_t(b.token) * M], M,
                               first_sets && &b == &blocks[0] ? Real(0) : Real(1), &ws.G[size_t(r0) * M], M);
            }
            for (int n = 0; n < K; ++n) {
                const int r0 = std::max(t0, off[size_t(n)]), r1 = std::min(t1, off[size_t(n) + 1]);
                if (r1 > r0)
                    softmax_xent(&ws.G[size_t(r0) * M], r1 - r0, M, data.cls(n).label, scale, &ws.row_loss[size_t(r0)]);
            }
        });
        // Backward, decoder. dY[tokens, cols] (len x w) = F[rows, block cols]^T G[rows, cols]: each task owns
        // its slice of dY and sets it (beta = 0: the optimiser need not zero dY, nor the GEMM read it). dF[rows, cols]
        // (R x len) = G[rows] Y[tokens]^T, per row tile.
        for_each_task(shared, ntasks + tiles, [&](int j) {
            if (j < ntasks) {
                const DyTask &task = ws.dy_tasks[size_t(j)];
                const SupportBlock &b = blocks[size_t(task.block)];
                const int r0 = off[size_t(b.class_begin)], R = off[size_t(b.class_end)] - r0;
                Real *dy = &grad.Y[size_t(b.token) * M + task.col];
                if (R > 0)
                    block_gemm(true, b.len, task.cols, R, &ws.F[size_t(r0) * S + b.col], S,
                               &ws.G[size_t(r0) * M + task.col], M, Real(0), dy, M);
                else
                    for (int l = 0; l < b.len; ++l)
                        std::fill(dy + size_t(l) * M, dy + size_t(l) * M + task.cols, Real(0));
                return;
            }
            const int t0 = (j - ntasks) * row_tile, t1 = std::min(B, t0 + row_tile);
            for (const SupportBlock &b : blocks) {
                int r0, r1;
                block_rows(b, off, t0, t1, r0, r1);
                if (r1 - r0 >= gemv_rows)
                    gemm(false, true, r1 - r0, b.len, M, &ws.G[size_t(r0) * M], M, &p.Y[size_t(b.token) * M], M,
                         Real(0), &ws.dF[size_t(r0) * S + b.col], S);
                else
                    for (int r = r0; r < r1; ++r)
                        gemv(b.len, M, &p.Y[size_t(b.token) * M], M, &ws.G[size_t(r) * M],
                             &ws.dF[size_t(r) * S + b.col]);
            }
        });
        // Backward, attention, per query row of dZ (its classes in order, their samples in order):
        // dv = (df - (f.df) f) / ||v||; dZ[m, l_s] += v_s (dv_s - v.dv).
        for_each_task(shared, K, [&](int n0) {
            const int query = data.cls(n0).query;
            if (n0 > 0 && data.cls(n0 - 1).query == query) return; // done with the first class of its query
            Real *dz = &grad.Z[size_t(query) * M];
            for (int n = n0; n < K && data.cls(n).query == query; ++n)
                attend_class_backward(data.cls(n), off[size_t(n)], off[size_t(n) + 1], S, normalize, ws, dz);
        });
    };
    if (team) {
#pragma omp parallel
        passes(true);
    } else {
        passes(false);
    }
    ForwardStats st;
    for (int r = 0; r < B; ++r) st.loss += ws.row_loss[size_t(r)];
    st.loss /= double(B);
    if (gamma_proxy) {
        // ||Y g|| with g = e - a: all M rows of Y (random init fills every row). gY (B x M) = G Y^T.
        ws.gY.resize(size_t(B) * M);
        gemm(false, true, B, M, M, ws.G.data(), M, p.Y.data(), M, Real(0), ws.gY.data(), M);
        for (int r = 0; r < B; ++r) {
            double sq = 0;
            for (int k = 0; k < M; ++k) sq += double(ws.gY[size_t(r) * M + k]) * double(ws.gY[size_t(r) * M + k]);
            st.gamma_proxy += std::sqrt(sq) * double(B); // G carries the 1/B factor
        }
        st.gamma_proxy /= double(B);
    }
    return st;
}

std::string block_products_backend() {
    return blocks_on_libxsmm() ? nn::small_gemm_backend() : "OpenBLAS (" + blas_core_name() + ")";
}

bool batch_uses_threads(const SeqClasses &data, int B) {
    return size_t(B) * size_t(data.S()) * size_t(data.M()) >= kParallelWork;
}

template struct YZParamsT<float>;
template struct YZParamsT<double>;
template ForwardStats forward_backward<float>(const SeqClasses &, const Batch &, const YZParamsT<float> &, bool,
                                              YZParamsT<float> &, YZWorkspaceT<float> &, bool);
template ForwardStats forward_backward<double>(const SeqClasses &, const Batch &, const YZParamsT<double> &, bool,
                                               YZParamsT<double> &, YZWorkspaceT<double> &, bool);

double forward_loss(const SeqClasses &data, const Batch &batch, const YZParams &p, bool normalize) {
    YZParams grad(p.M); // zero
    YZWorkspace ws;
    return forward_backward(data, batch, p, normalize, grad, ws).loss;
}

} // namespace tdlab::scansnap
