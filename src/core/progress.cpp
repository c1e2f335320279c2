#include "core/progress.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fmt/format.h>
#include <thread>
#include <unistd.h>

namespace tdlab {

namespace {
std::string duration_text(double s) {
    if (s < 120) return fmt::format("{:.0f}s", s);
    if (s < 7200) return fmt::format("{:.0f}m{:02.0f}s", std::floor(s / 60), std::fmod(s, 60));
    return fmt::format("{:.0f}h{:02.0f}m", std::floor(s / 3600), std::floor(std::fmod(s, 3600) / 60));
}
std::atomic<bool (*)(uint64_t, uint64_t)> g_poll{nullptr};
std::thread::id g_poll_thread;
std::atomic<int64_t> g_last_poll_ns{0};
std::atomic<bool> g_front_end_reports{false};
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

bool Progress::set_front_end_reports(bool reports) {
    return g_front_end_reports.exchange(reports);
}

Progress::Mode Progress::default_mode() {
    if (std::getenv("TDLAB_QUIET") != nullptr || g_front_end_reports.load()) return Mode::Off;
    return ::isatty(STDERR_FILENO) ? Mode::Terminal : Mode::Log;
}

bool Progress::enabled() {
    return default_mode() == Mode::Terminal;
}

Progress::Progress(std::string label, uint64_t total, std::string unit)
    : Progress(std::move(label), total, std::move(unit), default_mode()) {}

Progress::Progress(std::string label, uint64_t total, std::string unit, Mode mode, double min_gap_s, double max_gap_s)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), start_(std::chrono::steady_clock::now()),
      mode_(mode), min_gap_s_(min_gap_s), max_gap_s_(max_gap_s) {
    if (mode_ == Mode::Log) {
        std::fputs(fmt::format("tdlab: {}: started ({} {})\n", label_, total_, unit_).c_str(), stderr);
        std::fflush(stderr);
    }
}

Progress::~Progress() {
    // Unwinding (an error, Ctrl-C in Python): the stage did not finish, so no "done" line before the error
    // message; a terminal line in progress only gets its newline.
    if (std::uncaught_exceptions() > 0) {
        if (mode_ == Mode::Terminal && last_draw_ns_.load() != 0 && !finished_) std::fputc('\n', stderr);
        finished_ = true;
        return;
    }
    finish();
}

void Progress::add(uint64_t n) {
    const uint64_t done = done_.fetch_add(n, std::memory_order_relaxed) + n;
    poll_interrupt();
    if (mode_ == Mode::Off) return;
    int64_t now =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count();
    int64_t last = last_draw_ns_.load(std::memory_order_relaxed);
    if (mode_ == Mode::Terminal) {
        if (now - last < 100'000'000) return;
        if (!last_draw_ns_.compare_exchange_strong(last, now)) return;
        draw(false);
        return;
    }
    const double since = double(now - last) * 1e-9;
    const int decile = total_ ? int(std::min<uint64_t>(10, 10 * done / total_)) : 10;
    const bool due = since >= max_gap_s_ || (since >= min_gap_s_ && decile > last_decile_);
    if (!due || !last_draw_ns_.compare_exchange_strong(last, now)) return;
    std::lock_guard<std::mutex> lock(mu_);
    last_decile_ = decile;
    log_line(false, double(now) * 1e-9);
}

void Progress::resumed(uint64_t n) {
    resumed_ += n;
    const uint64_t done = done_.fetch_add(n, std::memory_order_relaxed) + n;
    last_decile_ = total_ ? int(std::min<uint64_t>(10, 10 * done / total_)) : 10;
    if (mode_ == Mode::Log && n > 0) {
        std::fputs(fmt::format("tdlab: {}: resumed at {}/{} {}\n", label_, done, total_, unit_).c_str(), stderr);
        std::fflush(stderr);
    }
}

void Progress::finish() {
    if (mode_ == Mode::Off || finished_) return;
    finished_ = true;
    if (mode_ == Mode::Terminal) {
        draw(true);
    } else {
        std::lock_guard<std::mutex> lock(mu_);
        log_line(true, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
    }
}

void Progress::log_line(bool final, double secs) {
    const uint64_t done = done_.load();
    const double frac = total_ ? double(done) / double(total_) : 1.0;
    const double rate = secs > 0 ? double(done - resumed_) / secs : 0.0;
    std::string line;
    if (final) {
        line = fmt::format("tdlab: {}: done, {} {} in {}\n", label_, done, unit_, duration_text(secs));
    } else {
        const double eta = rate > 0 && total_ > done ? double(total_ - done) / rate : 0.0;
        line = fmt::format("tdlab: {}: {:.1f}% ({}/{} {}, {:.4g} {}/s, elapsed {}, ETA {})\n", label_, 100.0 * frac,
                           done, total_, unit_, rate, unit_, duration_text(secs), duration_text(eta));
    }
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
}

void Progress::draw(bool final) {
    std::lock_guard<std::mutex> lock(mu_);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    uint64_t done = done_.load();
    double frac = total_ ? double(done) / double(total_) : 1.0;
    double rate = secs > 0 ? double(done - resumed_) / secs : 0.0;
    double eta = rate > 0 && total_ > done ? double(total_ - done) / rate : 0.0;
    std::string line = fmt::format("\r{}  {:5.1f}%  {}/{}  {:.4g} {}/s  {} {:.0f}s   ", label_, 100.0 * frac, done,
                                   total_, rate, unit_, final ? "took" : "ETA", final ? secs : eta);
    std::fputs(line.c_str(), stderr);
    if (final) std::fputc('\n', stderr);
    std::fflush(stderr);
}

} // namespace tdlab
