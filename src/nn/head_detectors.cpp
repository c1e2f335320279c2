#include "nn/head_detectors.h"

#include "core/error.h"

#include <cmath>
#include <fmt/format.h>

namespace tdlab::nn {

const char *head_kind_name(HeadKind kind) {
    switch (kind) {
    case HeadKind::PreviousToken: return "previous_token";
    case HeadKind::DuplicateToken: return "duplicate_token";
    default: return "induction";
    }
}

std::vector<float> detection_pattern(HeadKind kind, const int32_t *z, int T) {
    const size_t n = size_t(T);
    std::vector<float> D(n * n, 0.0f);
    for (int i = 0; i < T; ++i)
        for (int j = 0; j <= i; ++j) {
            bool on = false;
            switch (kind) {
            case HeadKind::PreviousToken: on = j == i - 1; break;
            case HeadKind::DuplicateToken: on = j < i && z[j] == z[i]; break;
            case HeadKind::Induction: // the duplicate pattern shifted one key to the right
                on = j >= 1 && z[j - 1] == z[i];
                break;
            }
            D[size_t(i) * n + size_t(j)] = on ? 1.0f : 0.0f;
        }
    return D;
}

double head_similarity(const float *A, const std::vector<float> &D, int T, const DetectOptions &opt) {
    if (T < 2) throw UsageError(fmt::format("head detector: sequence length {} must be at least 2", T));
    const size_t n = size_t(T);
    // Entries left out of the comparison: key 0 (the BOS position) and the current token.
    auto excluded = [&](size_t i, size_t j) {
        return (opt.exclude_bos && j == 0) || (opt.exclude_current_token && i == j);
    };
    if (opt.measure == ErrorMeasure::Mul) {
        double hit = 0, mass = 0;
        for (size_t i = 0; i < n; ++i)
            for (size_t j = 0; j < n; ++j) {
                if (excluded(i, j)) continue;
                const double a = A[i * n + j];
                mass += a;
                hit += a * D[i * n + j];
            }
        return hit / mass;
    }
    double err = 0;
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < n; ++j) {
            const double e = std::fabs(double(A[i * n + j]) - double(D[i * n + j]));
            if (j > i && e != 0)
                throw RuntimeError(
                    fmt::format("head detector (abs): attention[{}][{}] = {} above the diagonal (not a causal pattern)",
                                i, j, A[i * n + j]));
            if (!excluded(i, j)) err += e;
        }
    err /= double(T); // mean over T*T entries times T
    // Three decimals as Python's round(x, 3) (ties differ only on exact binary halves, never met by sums
    // of attention weights).
    if (opt.round_abs) err = std::round(err * 1000.0) / 1000.0;
    return 1.0 - err;
}

std::vector<double> head_scores_per_sequence(const float *pattern, const int32_t *tokens, int B, int H, int T,
                                             HeadKind kind, const DetectOptions &opt) {
    std::vector<double> out(size_t(B) * size_t(H));
    const size_t tt = size_t(T) * size_t(T);
    for (int b = 0; b < B; ++b) {
        const std::vector<float> D = detection_pattern(kind, tokens + size_t(b) * size_t(T), T);
        for (int h = 0; h < H; ++h) {
            const size_t bh = size_t(b) * size_t(H) + size_t(h);
            out[bh] = head_similarity(pattern + bh * tt, D, T, opt);
        }
    }
    return out;
}

std::vector<double> head_scores(const float *pattern, const int32_t *tokens, int B, int H, int T, HeadKind kind,
                                const DetectOptions &opt) {
    const std::vector<double> per = head_scores_per_sequence(pattern, tokens, B, H, T, kind, opt);
    std::vector<double> mean(size_t(H), 0.0);
    for (int b = 0; b < B; ++b)
        for (int h = 0; h < H; ++h) mean[size_t(h)] += per[size_t(b) * size_t(H) + size_t(h)];
    for (double &m : mean) m /= double(B);
    return mean;
}

std::string heads_csv_header() {
    return "iter,layer,head,previous_token,duplicate_token,induction";
}

void write_heads_csv_rows(std::ostream &out, int64_t iter, int layer, const float *pattern, const int32_t *tokens,
                          int B, int H, int T) {
    std::vector<std::vector<double>> s;
    for (HeadKind k : {HeadKind::PreviousToken, HeadKind::DuplicateToken, HeadKind::Induction})
        s.push_back(head_scores(pattern, tokens, B, H, T, k));
    for (int h = 0; h < H; ++h)
        out << fmt::format("{},{},{},{},{},{}\n", iter, layer, h, s[0][size_t(h)], s[1][size_t(h)], s[2][size_t(h)]);
}

} // namespace tdlab::nn
