#include "core/progress.h"

#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <unistd.h>

namespace tdlab {

bool Progress::enabled() {
    return ::isatty(STDERR_FILENO) && std::getenv("TDLAB_QUIET") == nullptr;
}

Progress::Progress(std::string label, uint64_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), start_(std::chrono::steady_clock::now()),
      active_(enabled()) {}

Progress::~Progress() {
    finish();
}

void Progress::add(uint64_t n) {
    done_.fetch_add(n, std::memory_order_relaxed);
    if (!active_) return;
    int64_t now =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count();
    int64_t last = last_draw_ns_.load(std::memory_order_relaxed);
    if (now - last < 100'000'000) return;
    if (!last_draw_ns_.compare_exchange_strong(last, now)) return;
    draw(false);
}

void Progress::finish() {
    if (!active_ || finished_) return;
    finished_ = true;
    draw(true);
}

void Progress::draw(bool final) {
    std::lock_guard<std::mutex> lock(mu_);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    uint64_t done = done_.load();
    double frac = total_ ? double(done) / double(total_) : 1.0;
    double rate = secs > 0 ? double(done) / secs : 0.0;
    double eta = rate > 0 && total_ > done ? double(total_ - done) / rate : 0.0;
    std::string line = fmt::format("\r{}  {:5.1f}%  {}/{}  {:.4g} {}/s  {} {:.0f}s   ", label_, 100.0 * frac, done,
                                   total_, rate, unit_, final ? "took" : "ETA", final ? secs : eta);
    std::fputs(line.c_str(), stderr);
    if (final) std::fputc('\n', stderr);
    std::fflush(stderr);
}

} // namespace tdlab
