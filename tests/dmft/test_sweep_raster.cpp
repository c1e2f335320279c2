// The Fig 3 background (results.npz raster_bins): the unique bins q(v; R_im = 7001, max_y) of the WHOLE
// window of each value (docs/dmft_map.md section 8), not of the kept samples. Checked against the window itself,
// recorded in full through points.npy (float32, so a bin may move by one where a value sits on a bin
// edge), and against a run that keeps only the last 100 samples.
#include "core/npy.h"
#include "dynamics/quantize.h"

#include "cli_test_support.h"
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>
#include <set>
#include <string>

namespace fs = std::filesystem;

namespace {
fs::path tmp(const std::string &name) {
    return tdlab_test::scratch_path("raster", name);
}
int run(const std::string &args) {
    return tdlab_test::run_tdlab(args);
}
} // namespace

TEST(SweepRaster, WholeWindowUniqueBins) {
    // beta 1.24 (period 4), 1.26 (quasi-periodic), 1.28 (chaotic) from the zoom checkpoint; window of 4000.
    const double max_y = 0.5693;
    const std::string base = "dmft sweep --set dmft.start=zoom --set sweep.min=1.24 --set sweep.max=1.28 "
                             "--set sweep.count=3 --set dmft.steps=9000 --set dmft.transient=5000 "
                             "--set sweep.lyapunov=false --set sweep.max_y=0.5693";
    const fs::path full = tmp("full"), short_keep = tmp("short");
    ASSERT_EQ(run(base + " --set sweep.keep=4000 --out " + full.string()), 0);
    ASSERT_EQ(run(base + " --set sweep.keep=100 --out " + short_keep.string()), 0);
    auto res = tdlab::read_npz(full / "results.npz");
    auto res_short = tdlab::read_npz(short_keep / "results.npz");
    // The raster does not depend on how many samples are kept.
    EXPECT_EQ(res.at("raster_bins").bytes, res_short.at("raster_bins").bytes);
    EXPECT_EQ(res.at("raster_resolution").to_int64().at(0), 7001);
    const auto bins = res.at("raster_bins").to_int64();
    const auto off = res.at("raster_offsets").to_int64();
    const auto scale = res.at("raster_scale").to_double();
    const auto pts = tdlab::read_npy(full / "points.npy");
    ASSERT_EQ(pts.shape, (std::vector<size_t>{3, 4000}));
    const auto x = pts.to_double();
    const auto pts_short = tdlab::read_npy(short_keep / "points.npy").to_double();
    for (size_t k = 0; k < 3; ++k) {
        EXPECT_EQ(scale[k], max_y);
        std::set<int64_t> stored(bins.begin() + off[k], bins.begin() + off[k + 1]), window, kept;
        for (size_t j = 0; j < 4000; ++j) window.insert(tdlab::dynamics::quantize(x[k * 4000 + j], max_y, 7001));
        for (size_t j = 0; j < 100; ++j) kept.insert(tdlab::dynamics::quantize(pts_short[k * 100 + j], max_y, 7001));
        // Every stored bin is a bin of the window (within one for float32 rounding) and vice versa.
        auto near = [](const std::set<int64_t> &s, int64_t q) {
            return s.count(q) || s.count(q - 1) || s.count(q + 1);
        };
        for (int64_t q : stored) EXPECT_TRUE(near(window, q)) << "value " << k << " bin " << q;
        for (int64_t q : window) EXPECT_TRUE(near(stored, q)) << "value " << k << " bin " << q;
        EXPECT_NEAR(double(stored.size()), double(window.size()), 0.02 * double(window.size()) + 2) << k;
        if (k == 0) {
            EXPECT_LE(stored.size(), 8u);
        } // period 4: at most 4 values (+ edge splits)
        if (k > 0) {
            EXPECT_GT(stored.size(), 2 * kept.size()) << k;
        } // the whole window, not the last 100 samples
    }
}
