// NPY / NPZ files from outside (a gather input, a resume chunk, a weights file) are untrusted: sizes are
// checked with overflow-safe arithmetic, negative dimensions refused, CRCs verified, and every refusal
// is a UsageError (exit 2) that names the file and the array.
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/npy.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace tdlab;

namespace {

fs::path tmp_dir() {
    fs::path d = fs::temp_directory_path() / ("tdlab_test_npy_untrusted_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
}

// An NPY v1.0 file with the header text given verbatim (padded to 64 bytes) and raw data bytes.
std::string npy_with_header(std::string header, const std::string &data) {
    const size_t pad = (64 - (10 + header.size() + 1) % 64) % 64;
    header.append(pad, ' ');
    header.push_back('\n');
    std::string out = std::string("\x93NUMPY\x01\x00", 8);
    out.push_back(char(header.size() & 0xff));
    out.push_back(char(header.size() >> 8));
    return out + header + data;
}

std::string doubles(size_t n) {
    std::vector<double> v(n, 0.5);
    return std::string(reinterpret_cast<const char *>(v.data()), n * sizeof(double));
}

// The message of the UsageError that `f` throws ("" if it throws nothing or something else).
template <typename F> std::string usage_error(F &&f) {
    try {
        f();
    } catch (const UsageError &e) {
        return e.what();
    } catch (...) {
        return "<another exception>";
    }
    return "";
}

} // namespace

// A weights file declaring shape (4, 2^62+3, 101) with 4*3*101 values: the shape product wraps modulo
// 2^64 to 1212 elements. numpy refuses it; so must we.
TEST(NpyUntrusted, ShapeProductOverflowIsRefused) {
    const std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 4611686018427387907, 101), }";
    const std::string msg = usage_error([&] { parse_npy(npy_with_header(header, doubles(4 * 3 * 101)), "w.npy"); });
    EXPECT_NE(msg.find("w.npy"), std::string::npos) << msg;
    EXPECT_NE(msg.find("too large"), std::string::npos) << msg;
}

TEST(NpyUntrusted, NegativeDimensionIsRefused) {
    const std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }";
    const std::string msg = usage_error([&] { parse_npy(npy_with_header(header, doubles(3)), "neg.npy"); });
    EXPECT_NE(msg.find("neg.npy"), std::string::npos) << msg;
    EXPECT_NE(msg.find("negative"), std::string::npos) << msg;
}

// numpy's header is a Python literal: double quotes are as valid as single ones.
TEST(NpyUntrusted, DoubleQuotedHeaderLoads) {
    const std::string header = "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2, 3), }";
    const NpyArray a = parse_npy(npy_with_header(header, doubles(6)), "dq.npy");
    EXPECT_EQ(a.shape, (std::vector<size_t>{2, 3}));
    EXPECT_EQ(a.to_double(), std::vector<double>(6, 0.5));
}

TEST(NpyUntrusted, StructuredAndHalfDtypesAreNamed) {
    const std::string rec = "{'descr': [('a', '<f8'), ('b', '<i4')], 'fortran_order': False, 'shape': (2,), }";
    std::string msg = usage_error([&] { parse_npy(npy_with_header(rec, std::string(24, '\0')), "rec.npy"); });
    EXPECT_NE(msg.find("rec.npy"), std::string::npos) << msg;
    EXPECT_NE(msg.find("structured"), std::string::npos) << msg;
    EXPECT_NE(msg.find("('a', '<f8')"), std::string::npos) << msg;
    const std::string half = "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }";
    msg = usage_error([&] { parse_npy(npy_with_header(half, std::string(4, '\0')), "half.npy"); });
    EXPECT_NE(msg.find("'<f2'"), std::string::npos) << msg;
}

// A flipped byte inside a member (a bad disk, a torn copy of a resume chunk) is caught by the zip CRC.
TEST(NpyUntrusted, NpzCrcMismatchIsRefused) {
    const fs::path d = tmp_dir();
    NpzMap m;
    m["x"] = make_npy(std::vector<double>{1, 2, 3, 4}, {4});
    m["y"] = make_npy(std::vector<int64_t>{7, 8}, {2});
    write_npz(d / "ok.npz", m);
    std::string bytes = read_file(d / "ok.npz");
    // The last data byte of member x.npy: 30-byte local header + name + NPY bytes.
    const size_t x_end = 30 + 5 + npy_bytes(m["x"]).size();
    bytes[x_end - 1] ^= 0x01;
    write_file_atomic(d / "flip.npz", bytes);
    const std::string msg = usage_error([&] { read_npz(d / "flip.npz"); });
    EXPECT_NE(msg.find("flip.npz"), std::string::npos) << msg;
    EXPECT_NE(msg.find("CRC"), std::string::npos) << msg;
    EXPECT_NE(msg.find("x.npy"), std::string::npos) << msg;
}

// Offsets and lengths in the zip directory that point past the end are refused, never followed.
TEST(NpyUntrusted, NpzOutOfRangeDirectoryIsRefused) {
    NpzMap m;
    m["x"] = make_npy(std::vector<double>{1, 2}, {2});
    const fs::path d = tmp_dir();
    write_npz(d / "ok.npz", m);
    const std::string good = read_file(d / "ok.npz");
    const size_t central = good.size() - 22 - (46 + 5);
    for (size_t field : {central + 28, central + 42, central + 20, good.size() - 22 + 16}) {
        std::string bad = good;
        bad[field] = char(0xff);
        bad[field + 1] = char(0xff);
        const std::string msg = usage_error([&] { parse_npz(bad, "bad.npz"); });
        EXPECT_NE(msg.find("bad.npz"), std::string::npos) << "field at " << field << ": " << msg;
    }
}
