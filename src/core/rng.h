// Random number generators. Two kinds, both deterministic and independent of the thread count:
//
// * NumpyLegacyRng: MT19937 bit-compatible with NumPy's legacy global generator
//   (np.random.seed(s); np.random.randint(2); np.random.random_sample()). Used where a paper's
//   weights must be reproduced exactly (the DMFT "random segments" weights from seed 1).
// * CounterRng: a counter-based generator (SplitMix64 finaliser over (seed, stream, counter)), used
//   for everything else. Stream k of seed s is independent of how many other streams exist or which
//   thread runs them, so parallel runs give identical bytes for any thread count.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>

namespace tdlab {

class NumpyLegacyRng {
  public:
    // np.random.seed(seed) for a 32-bit seed is init_genrand(seed), which is std::mt19937's seeding.
    explicit NumpyLegacyRng(uint32_t seed) : mt_(seed) {}
    uint32_t next_u32() { return uint32_t(mt_()); }
    // np.random.randint(2): masked rejection sampling with mask 1, which never rejects.
    int randint2() { return int(next_u32() & 1u); }
    // np.random.randint(0, n) for n <= 2^32: masked rejection sampling over 32-bit draws.
    uint32_t randint(uint32_t n);
    // np.random.random_sample(): 53-bit double from two draws (a >> 5, b >> 6).
    double random_sample() {
        uint32_t a = next_u32() >> 5, b = next_u32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

  private:
    std::mt19937 mt_;
};

// SplitMix64 finaliser: a bijective 64-bit mixer.
inline uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

class CounterRng {
  public:
    CounterRng(uint64_t seed, uint64_t stream) : key_(splitmix64(seed ^ splitmix64(stream + 0x632BE59BD9B4E019ull))) {}
    uint64_t next_u64() { return splitmix64(key_ + 0x9E3779B97F4A7C15ull * (++counter_)); }
    // out[0..n) = the next n values of next_u64(), in order (a vectorised loop: the draws are independent).
    void fill_u64(uint64_t *out, size_t n) {
        peek_u64(counter_, out, n);
        counter_ += n;
    }
    // out[0..n) = the draws that follow the first `done` draws of the stream, without moving it: threads
    // can fill disjoint ranges of one stream in parallel (then skip() past them) with the same bits.
    void peek_u64(uint64_t done, uint64_t *out, size_t n) const;
    void skip(uint64_t n) { counter_ += n; }
    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return double(next_u64() >> 11) * 0x1.0p-53; }
    // Uniform integer in [0, n) without modulo bias (Lemire's method with rejection).
    uint64_t uniform_int(uint64_t n);
    // Standard normal by Box-Muller (both values used, deterministic order).
    double normal();
    // Binomial(n, p), an exact draw for any n >= 0 (up to 2^62) in O(1) expected time: inversion by
    // sequential search when n min(p, 1-p) < 10, otherwise Hormann's BTRD rejection (rng.cpp).
    int64_t binomial(int64_t n, double p);
    uint64_t counter() const { return counter_; }

  private:
    int64_t binomial_btrd(int64_t n, double p); // p <= 1/2, n p >= 10
    uint64_t key_;
    uint64_t counter_ = 0;
    bool has_spare_ = false;
    double spare_ = 0.0;
};

// Stirling correction log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi)/2] used by the binomial sampler
// (exposed for its test).
double binomial_stirling_correction(int64_t k);

} // namespace tdlab
