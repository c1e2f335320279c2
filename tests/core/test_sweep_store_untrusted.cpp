// results.npz (a gather input) and resume chunks are read back from disk: offsets into the concatenated
// Poincare and raster arrays, the census rows and the scalars are checked before they index anything
// (a crafted file used to read out of bounds), and a chunk that does not read back is a CorruptChunk.
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/npy.h"
#include "dmft/sweep_store.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace tdlab;
using namespace tdlab::dmft;

namespace {

fs::path tmp_dir(const std::string &name) {
    fs::path d = fs::temp_directory_path() / ("tdlab_test_store_" + std::to_string(::getpid())) / name;
    fs::create_directories(d);
    return d;
}

// Two points with Poincare points and raster rows, one census row.
SweepResults sample() {
    SweepResults r;
    r.begin = 10;
    r.raster_resolution = 101;
    r.points.resize(2);
    r.points[0].beta = 1.0;
    r.points[0].points = {0.5f, 0.25f};
    r.points[0].poincare = {0.1, 0.2, 0.3};
    r.points[0].raster_bins = {1, 2, 3};
    r.points[0].raster_scale = 1.5;
    r.points[1].beta = 2.0;
    r.points[1].points = {0.75f};
    r.points[1].poincare = {0.4};
    r.points[1].raster_bins = {4};
    r.points[1].raster_scale = 2.5;
    CensusRow row;
    row.index = 11;
    row.starts = 3;
    r.census.push_back(row);
    return r;
}

std::string usage_error(const NpzMap &m) {
    try {
        results_from_npz(m, "crafted.npz");
    } catch (const UsageError &e) {
        return e.what();
    } catch (const std::exception &e) {
        return std::string("<other exception: ") + e.what() + ">";
    }
    return "";
}

} // namespace

TEST(SweepStoreUntrusted, RoundTripKeepsEveryField) {
    const SweepResults back = results_from_npz(results_to_npz(sample()), "ok.npz");
    ASSERT_EQ(back.points.size(), 2u);
    EXPECT_EQ(back.begin, 10);
    EXPECT_EQ(back.points[0].poincare, (std::vector<double>{0.1, 0.2, 0.3}));
    EXPECT_EQ(back.points[1].raster_bins, (std::vector<int16_t>{4}));
    EXPECT_EQ(back.points[0].points, (std::vector<float>{0.5f, 0.25f}));
    ASSERT_EQ(back.census.size(), 1u);
    EXPECT_EQ(back.census[0].starts, 3);
}

// Offsets that end right but jump past the data or go backwards: before, the reader copied
// poincare[off[k], off[k+1]) without looking (ASan: heap-buffer-overflow).
TEST(SweepStoreUntrusted, PoincareOffsetsOutOfRangeOrDecreasing) {
    for (const std::vector<int64_t> &off :
         {std::vector<int64_t>{0, 100, 4}, std::vector<int64_t>{0, 5, 4}, std::vector<int64_t>{-2, 3, 4}}) {
        NpzMap m = results_to_npz(sample());
        m["poincare_offsets"] = make_npy(off, {3});
        const std::string msg = usage_error(m);
        EXPECT_NE(msg.find("crafted.npz"), std::string::npos) << off[1] << ": " << msg;
        EXPECT_NE(msg.find("poincare_offsets"), std::string::npos) << off[1] << ": " << msg;
    }
}

TEST(SweepStoreUntrusted, RasterOffsetsOutOfRangeOrDecreasing) {
    for (const std::vector<int64_t> &off : {std::vector<int64_t>{0, 1000, 4}, std::vector<int64_t>{0, 6, 4}}) {
        NpzMap m = results_to_npz(sample());
        m["raster_offsets"] = make_npy(off, {3});
        const std::string msg = usage_error(m);
        EXPECT_NE(msg.find("raster_offsets"), std::string::npos) << off[1] << ": " << msg;
    }
}

// census.csv looks up each row's point: an index outside the file's points was an out-of-bounds read.
TEST(SweepStoreUntrusted, CensusIndexOutsideThePoints) {
    NpzMap m = results_to_npz(sample());
    m["census_index"] = make_npy(std::vector<int64_t>{500}, {1});
    EXPECT_NE(usage_error(m).find("census_index"), std::string::npos) << usage_error(m);
}

// An empty 'begin' array was std::out_of_range ("internal error"), not a usage error.
TEST(SweepStoreUntrusted, EmptyScalarArray) {
    NpzMap m = results_to_npz(sample());
    m["begin"] = make_npy(std::vector<int64_t>{}, {0});
    EXPECT_NE(usage_error(m).find("'begin'"), std::string::npos) << usage_error(m);
}

// A resume chunk with a flipped byte is a CorruptChunk naming the chunk file (the runner recomputes it).
TEST(SweepStoreUntrusted, CorruptChunkIsReportedWithItsFile) {
    const fs::path out = tmp_dir("corrupt") / "run";
    {
        ChunkStore store(out, "cfg: 1\n");
        store.save(sample());
        ASSERT_TRUE(store.has(10));
        EXPECT_EQ(store.load(10).points.size(), 2u);
        const fs::path chunk = store.dir() / "chunk-000000010.npz";
        std::string bytes = read_file(chunk);
        bytes[bytes.size() / 2] ^= 0x10;
        write_file_atomic(chunk, bytes);
        try {
            store.load(10);
            FAIL() << "a flipped byte was read back silently";
        } catch (const CorruptChunk &e) {
            EXPECT_EQ(e.file(), chunk);
            EXPECT_NE(std::string(e.what()).find(chunk.string()), std::string::npos) << e.what();
        }
    }
}

// Two sweeps into the same --out must not share a resume store: the second is refused, naming the pid.
TEST(SweepStoreUntrusted, ResumeStoreIsLocked) {
    const fs::path out = tmp_dir("locked") / "run";
    ChunkStore first(out, "cfg: 1\n");
    try {
        ChunkStore second(out, "cfg: 1\n");
        FAIL() << "a second writer opened the same resume store";
    } catch (const UsageError &e) {
        EXPECT_NE(std::string(e.what()).find("pid " + std::to_string(::getpid())), std::string::npos) << e.what();
    }
}
