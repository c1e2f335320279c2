// Helpers for the nn tests: loading golden .npy files and comparing tensors with a stated tolerance.
#pragma once

#include "core/npy.h"

#include <cmath>
#include <filesystem>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace tdlab::nn::testing {

inline std::filesystem::path golden_dir(const std::string &sub) {
    return std::filesystem::path(TDLAB_TEST_DATA) / "golden" / "nn" / sub;
}

inline std::vector<float> load_f32(const std::filesystem::path &p) {
    std::vector<double> d = read_npy(p).to_double();
    return std::vector<float>(d.begin(), d.end());
}

inline std::vector<int32_t> load_i32(const std::filesystem::path &p) {
    std::vector<int64_t> d = read_npy(p).to_int64();
    return std::vector<int32_t>(d.begin(), d.end());
}

// Relative error of `got` against `want`, scaled by the tensor's magnitude: max_i |got_i - want_i| / max_i
// |want_i| (llm.c's check_tensor with a relative instead of an absolute bound). Elements near zero are
// judged against the tensor scale, so a 1e-9 gradient entry does not fail on round-off.
inline double rel_error(const float *got, const float *want, size_t n) {
    double diff = 0.0, scale = 0.0;
    for (size_t i = 0; i < n; ++i) {
        diff = std::max(diff, std::fabs(double(got[i]) - double(want[i])));
        scale = std::max(scale, std::fabs(double(want[i])));
    }
    return scale > 0.0 ? diff / scale : diff;
}

#define EXPECT_TENSOR_NEAR(got, want, n, tol, what)                                                                    \
    do {                                                                                                               \
        double err_ = ::tdlab::nn::testing::rel_error((got), (want), (n));                                             \
        EXPECT_LE(err_, (tol)) << (what) << ": relative error " << err_;                                               \
    } while (0)

} // namespace tdlab::nn::testing
