// Threads and deterministic sharding of independent work items (betas, seeds, grid points).
#pragma once

#include <cstddef>
#include <string>

namespace tdlab {

// Sets the OpenMP thread count (0 = leave the default: OMP_NUM_THREADS or all cores) and returns it.
// UsageError for a negative count or one above max_threads().
int configure_threads(int threads);
// The most threads a run may ask for: 4 per hardware thread, at least 1024.
int max_threads();

// Part `index` (0-based) of `count` parts: a contiguous block of items, `--shard i/n` with 1-based i.
struct Shard {
    size_t index = 0;
    size_t count = 1;
    // The half-open range [begin, end) of `total` items that this shard owns.
    size_t begin(size_t total) const { return total * index / count; }
    size_t end(size_t total) const { return total * (index + 1) / count; }
    bool whole() const { return count == 1; }
};

// Parses "i/n" with 1 <= i <= n (as Slurm's array index and GNU parallel's {#} give). UsageError otherwise.
Shard parse_shard(const std::string &text);

} // namespace tdlab
