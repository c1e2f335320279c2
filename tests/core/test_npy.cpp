// NPY/NPZ round trips, numpy interoperability and malformed-input errors.
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/npy.h"

#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>

namespace fs = std::filesystem;
using namespace tdlab;

namespace {
fs::path tmp_dir() {
    fs::path d = fs::temp_directory_path() / ("tdlab_test_npy_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
}
} // namespace

TEST(Npy, RoundTripShapesAndTypes) {
    fs::path d = tmp_dir();
    std::vector<double> a{1.5, -2.25, 3e-300, 4.0, 5.0, 6.0};
    write_npy(d / "a.npy", a, {2, 3});
    NpyArray r = read_npy(d / "a.npy");
    EXPECT_EQ(r.dtype, "<f8");
    ASSERT_EQ(r.shape, (std::vector<size_t>{2, 3}));
    EXPECT_EQ(r.to_double(), a);
    std::vector<int32_t> b{7, -8, 9};
    write_npy(d / "b.npy", b, {3});
    EXPECT_EQ(read_npy(d / "b.npy").to_int64(), (std::vector<int64_t>{7, -8, 9}));
    // Header is padded so that data start on a 64-byte boundary, as numpy requires of v1.0 files.
    std::string bytes = read_file(d / "a.npy");
    const size_t data_at = bytes.size() - 6 * 8;
    EXPECT_EQ(data_at % 64, 0u);
    EXPECT_EQ(bytes[data_at - 1], '\n');
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
}

TEST(Npy, NpzRoundTrip) {
    fs::path d = tmp_dir();
    NpzMap m;
    m["x"] = make_npy(std::vector<double>{1, 2, 3}, {3});
    m["y"] = make_npy(std::vector<int64_t>{4, 5}, {1, 2});
    write_npz(d / "m.npz", m);
    NpzMap r = read_npz(d / "m.npz");
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r["x"].to_double(), (std::vector<double>{1, 2, 3}));
    EXPECT_EQ(r["y"].shape, (std::vector<size_t>{1, 2}));
}

TEST(Npy, TruncatedAndMalformedAreUsageErrors) {
    fs::path d = tmp_dir();
    write_npy(d / "a.npy", std::vector<double>(10, 1.0), {10});
    std::string bytes = read_file(d / "a.npy");
    write_file_atomic(d / "t.npy", bytes.substr(0, bytes.size() - 3));
    EXPECT_THROW(read_npy(d / "t.npy"), UsageError);
    write_file_atomic(d / "bad.npy", "hello world, not numpy");
    EXPECT_THROW(read_npy(d / "bad.npy"), UsageError);
    EXPECT_THROW(read_npy(d / "missing.npy"), UsageError);
    try {
        read_npy(d / "t.npy");
    } catch (const UsageError &e) {
        EXPECT_NE(std::string(e.what()).find("t.npy"), std::string::npos) << "error must name the file";
    }
}

// numpy.load reads what we write and numpy.save writes what we read (skipped if Debian's numpy is absent).
TEST(Npy, NumpyInterop) {
    if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) GTEST_SKIP() << "no numpy";
    fs::path d = tmp_dir();
    write_npy(d / "ours.npy", std::vector<double>{0.1, 0.2, 0.3, 0.4}, {2, 2});
    NpzMap m;
    m["w"] = make_npy(std::vector<float>{1.f, 2.f}, {2});
    write_npz(d / "ours.npz", m);
    std::string script = "import numpy as np; a=np.load('" + (d / "ours.npy").string() +
                         "'); assert a.shape==(2,2) and a[1,0]==0.3; z=np.load('" + (d / "ours.npz").string() +
                         "'); assert list(z['w'])==[1.0,2.0]; np.save('" + (d / "theirs.npy").string() +
                         "', np.arange(6, dtype=np.int64).reshape(3,2))";
    ASSERT_EQ(std::system(("/usr/bin/python3 -c \"" + script + "\"").c_str()), 0);
    NpyArray r = read_npy(d / "theirs.npy");
    EXPECT_EQ(r.shape, (std::vector<size_t>{3, 2}));
    EXPECT_EQ(r.to_int64(), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
}
