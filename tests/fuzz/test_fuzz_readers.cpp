// Deterministic fuzzing of the readers of untrusted files: NPY, NPZ (and the sweep results inside),
// YAML configs and DMFT checkpoints. Small valid seed files get a few thousand mutations (bit flips,
// truncations, header edits, size fields); every mutant must either load or be refused with a
// UsageError that names the file. Under the sanitizer build (`make test-asan`) this also proves that no
// mutant reads out of bounds or overflows. Fixed seeds: the same mutants on every run.
#include "core/atomic_file.h"
#include "core/config.h"
#include "core/error.h"
#include "core/npy.h"
#include "dmft/context.h"
#include "dmft/sweep_store.h"

#include <climits>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <random>
#include <typeinfo>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace tdlab;

namespace {

fs::path scratch() {
    fs::path d = fs::temp_directory_path() / ("tdlab_test_fuzz_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
}

// No temp file, no fsync: thousands of mutants would otherwise spend their time syncing the disk.
void write_plain(const fs::path &p, const std::string &bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), long(bytes.size()));
}

// One mutation of `s`, drawn from `rng`.
std::string mutate(std::string s, std::mt19937_64 &rng) {
    auto pick = [&](size_t n) { return n == 0 ? size_t(0) : size_t(rng() % n); };
    switch (rng() % 6) {
    case 0: // flip 1-4 bits
        for (int k = 0, n = 1 + int(rng() % 4); k < n && !s.empty(); ++k) s[pick(s.size())] ^= char(1 << (rng() % 8));
        break;
    case 1: // truncate
        s.resize(pick(s.size()));
        break;
    case 2: { // overwrite a little-endian size-like field with an extreme value
        const uint64_t values[] = {0, 1, 0x7f, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 0x8000000000000000ull, ~0ull};
        const uint64_t v = values[rng() % 9];
        const size_t width = size_t(1) << (1 + rng() % 3); // 2, 4 or 8 bytes
        const size_t at = pick(s.size());
        for (size_t b = 0; b < width && at + b < s.size(); ++b) s[at + b] = char((v >> (8 * b)) & 0xff);
        break;
    }
    case 3: { // edit a digit (shapes, offsets written as text, YAML numbers)
        std::vector<size_t> digits;
        for (size_t k = 0; k < s.size(); ++k)
            if (s[k] >= '0' && s[k] <= '9') digits.push_back(k);
        if (digits.empty()) break;
        const char *repl[] = {"-", "9999999999999999999999", "18446744073709551617", "0", "-1", "1e308", ".nan", ""};
        s.replace(digits[pick(digits.size())], 1, repl[rng() % 8]);
        break;
    }
    case 4: { // insert structure characters
        const char *ins[] = {"'", "\"", "(", ")", ",", ":", "\n", "---\n", "{", "[", "- ", "&a ", "*a", "\0"};
        s.insert(pick(s.size() + 1), ins[rng() % 14]);
        break;
    }
    default: { // duplicate or drop a slice
        const size_t a = pick(s.size()), n = pick(std::min<size_t>(64, s.size() - a + 1));
        if (rng() % 2)
            s.insert(a, s.substr(a, n));
        else
            s.erase(a, n);
    }
    }
    return s;
}

// Runs `read(path)` on `count` mutants of `seed`; counts how many loaded and how many were refused.
void fuzz(const std::string &label, const std::string &seed, int count, uint64_t rng_seed,
          const std::function<void(const fs::path &)> &read) {
    std::mt19937_64 rng(rng_seed);
    const fs::path file = scratch() / ("mutant-" + label);
    int loaded = 0, refused = 0;
    for (int k = 0; k < count; ++k) {
        std::string m = seed;
        for (int rounds = 1 + int(rng() % 3); rounds > 0; --rounds) m = mutate(std::move(m), rng);
        write_plain(file, m);
        try {
            read(file);
            ++loaded;
        } catch (const UsageError &e) {
            ++refused;
            ASSERT_NE(std::string(e.what()).find(file.string()), std::string::npos)
                << label << " mutant " << k << ": the error does not name the file: " << e.what();
        } catch (const std::exception &e) {
            FAIL() << label << " mutant " << k << ": " << typeid(e).name() << ": " << e.what();
        }
    }
    EXPECT_GT(refused, count / 10) << label << ": the mutations should break most files";
    std::printf("[fuzz] %s: %d mutants, %d loaded, %d refused\n", label.c_str(), count, loaded, refused);
}

dmft::SweepResults sweep_sample() {
    dmft::SweepResults r;
    r.begin = 4;
    r.raster_resolution = 101;
    r.points.resize(3);
    for (size_t k = 0; k < 3; ++k) {
        auto &p = r.points[k];
        p.beta = 1.0 + double(k);
        p.points.assign(k + 1, 0.25f);
        p.poincare.assign(2 * k, 0.5);
        p.raster_bins.assign(k + 2, int16_t(k));
        p.raster_scale = 1.0;
    }
    dmft::CensusRow row;
    row.index = 5;
    r.census.push_back(row);
    return r;
}

} // namespace

TEST(FuzzReaders, Npy) {
    const std::string seed = npy_bytes(make_npy(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3}));
    fuzz("npy", seed, 1500, 1, [](const fs::path &p) { (void)read_npy(p).to_double(); });
}

TEST(FuzzReaders, NpzSweepResults) {
    const fs::path seed_file = scratch() / "seed.npz";
    write_npz(seed_file, dmft::results_to_npz(sweep_sample()));
    fuzz("npz", read_file(seed_file), 1500, 2,
         [](const fs::path &p) { (void)dmft::results_from_npz(read_npz(p), p.string()); });
}

// The zip CRC stops most byte-level mutants of an NPZ before the sweep reader sees them, so the sweep
// reader is also fed arrays edited after parsing (offsets, lengths, dtypes), as a crafted file would be.
TEST(FuzzReaders, SweepResultsArrays) {
    std::mt19937_64 rng(3);
    const NpzMap seed = dmft::results_to_npz(sweep_sample());
    int refused = 0;
    for (int k = 0; k < 1500; ++k) {
        NpzMap m = seed;
        auto it = m.begin();
        std::advance(it, long(rng() % m.size()));
        NpyArray &a = it->second;
        switch (rng() % 4) {
        case 0: // change one element of an integer array to an extreme or shifted value
            if (a.dtype == "<i8" && !a.bytes.empty()) {
                const int64_t values[] = {-1, 0, 1, 2, 1000, INT64_MIN, INT64_MAX};
                const int64_t v = values[rng() % 7];
                std::memcpy(a.bytes.data() + 8 * (rng() % (a.bytes.size() / 8)), &v, 8);
            }
            break;
        case 1: // drop trailing elements (shape follows)
            if (!a.shape.empty() && a.shape[0] > 0) {
                a.shape[0] -= 1;
                a.bytes.resize(a.size() * a.item_size());
            }
            break;
        case 2: // another dtype of the same bytes
            a.dtype = a.dtype == "<i8" ? "<f8" : (a.dtype == "<f8" ? "<i8" : "<i2");
            a.shape = {a.bytes.size() / a.item_size()};
            a.bytes.resize(a.shape[0] * a.item_size());
            break;
        default: // drop the array
            m.erase(it);
        }
        try {
            (void)dmft::results_from_npz(m, "arrays.npz");
        } catch (const UsageError &e) {
            ++refused;
            ASSERT_NE(std::string(e.what()).find("arrays.npz"), std::string::npos) << e.what();
        } catch (const std::exception &e) {
            FAIL() << "mutant " << k << ": " << typeid(e).name() << ": " << e.what();
        }
    }
    EXPECT_GT(refused, 300);
    std::printf("[fuzz] sweep arrays: 1500 mutants, %d refused\n", refused);
}

TEST(FuzzReaders, Config) {
    ConfigSchema s;
    s.add_double("dmft.beta", 1.27, 0.0, 100.0, "beta")
        .add_int("dmft.steps", 100, 1, 1000000, "steps")
        .add_bool("dmft.save", false, "flag")
        .add_string("dmft.start", "cold", {"cold", "fig3a"}, "start", true)
        .add_double_list("sweep.values", "[1, 2]", "values")
        .add_int_list("sweep.seeds", "[1]", "seeds");
    const std::string seed = "# a config\ndmft:\n  beta: 1.5\n  steps: 200\n  save: true\n  start: fig3a\n"
                             "sweep: {values: [0.5, 1.5e0, 2], seeds: [3, 4]}\n";
    fuzz("config", seed, 1500, 4, [&](const fs::path &p) { (void)Config::load(s, p, {}).to_yaml(); });
}

TEST(FuzzReaders, Checkpoint) {
    const std::string seed = read_file(fs::path(TDLAB_TEST_DATA) / ".." / "data" / "dmft" / "context_fig3a.yaml");
    fuzz("checkpoint", seed, 1500, 5, [](const fs::path &p) { (void)dmft::load_context(p, 3, 4); });
}
