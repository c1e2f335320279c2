#include "core/progress.h"

#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <thread>
#include <unistd.h>

namespace tdlab {

namespace {
std::atomic<bool (*)(uint64_t, uint64_t)> g_poll{nullptr};
std::thread::id g_poll_thread;
std::atomic<int64_t> g_last_poll_ns{0};
int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
} // namespace

void Progress::set_interrupt_poll(bool (*poll)(uint64_t done, uint64_t total)) {
    if (poll) {
        g_poll_thread = std::this_thread::get_id();
        g_last_poll_ns.store(0);
    }
    g_poll.store(poll, std::memory_order_release);
}

void Progress::poll_interrupt() {
    bool (*poll)(uint64_t, uint64_t) = g_poll.load(std::memory_order_acquire);
    if (poll == nullptr || std::this_thread::get_id() != g_poll_thread) return;
    const int64_t now = now_ns();
    if (now - g_last_poll_ns.load(std::memory_order_relaxed) < 50'000'000) return;
    g_last_poll_ns.store(now, std::memory_order_relaxed);
    if (poll(done_.load(std::memory_order_relaxed), total_)) throw Interrupted();
}

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
    poll_interrupt();
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
