#include "core/parallel.h"

#include "core/error.h"

#include <algorithm>
#include <omp.h>
#include <thread>

namespace tdlab {

int max_threads() {
    const unsigned hw = std::thread::hardware_concurrency();
    return std::max(1024, 4 * int(hw));
}

int configure_threads(int threads) {
    if (threads < 0) throw UsageError("--threads must be >= 0 (0 = all cores), got " + std::to_string(threads));
    // libgomp cannot start tens of thousands of threads (each needs a stack); it crashes instead of
    // failing, so an absurd count is refused here with the limit named.
    if (threads > max_threads())
        throw UsageError("--threads " + std::to_string(threads) + " is more than tdlab allows (" +
                         std::to_string(max_threads()) + ": 4 per hardware thread, at least 1024)");
    if (threads > 0) omp_set_num_threads(threads);
    return omp_get_max_threads();
}

Shard parse_shard(const std::string &text) {
    size_t slash = text.find('/');
    auto bad = [&] { return UsageError("--shard expects i/n with 1 <= i <= n (e.g. 3/8), got '" + text + "'"); };
    if (slash == std::string::npos) throw bad();
    try {
        size_t used_i = 0, used_n = 0;
        long long i = std::stoll(text.substr(0, slash), &used_i);
        long long n = std::stoll(text.substr(slash + 1), &used_n);
        if (used_i != slash || used_n != text.size() - slash - 1 || n < 1 || i < 1 || i > n) throw bad();
        return Shard{size_t(i - 1), size_t(n)};
    } catch (const UsageError &) {
        throw;
    } catch (...) {
        throw bad();
    }
}

} // namespace tdlab
